using System.Globalization;

namespace VodRaw.Cos;

/// <summary>
/// Decides, before each COS request, whether it can still finish with the temporary credential: a request is not
/// started when the credential has expired (less the skew allowance), or when the measured upload rate says its
/// body cannot be sent before then. A small request with a short-lived credential goes ahead.
/// </summary>
internal sealed class CredentialExpiryGuard(DateTimeOffset? expiresAt, TimeSpan skewAllowance, Func<double?> measuredBytesPerSecond)
{
    /// <summary>
    /// The one rule for "this temporary credential can no longer sign": its expiry, less <paramref name="skewAllowance"/>,
    /// is not after <paramref name="now"/>. Used before each request, when a checkpoint is opened, and when one is
    /// aborted (with no allowance: an abort is tried while the credential still works at all).
    /// </summary>
    public static bool HasExpired(DateTimeOffset? expiresAt, TimeSpan skewAllowance, DateTimeOffset now) =>
        expiresAt is { } expires && expires - skewAllowance <= now;

    /// <summary>Throws <see cref="CredentialExpiredException"/> when a request of <paramref name="bodyBytes"/> should not start at <paramref name="now"/>.</summary>
    public void EnsureCanFinish(DateTimeOffset now, long bodyBytes)
    {
        if (expiresAt is not { } expires)
        {
            return;
        }

        var usable = expires - skewAllowance - now;
        if (HasExpired(expires, skewAllowance, now))
        {
            throw new CredentialExpiredException(expires, "no further request is started with it.");
        }

        if (bodyBytes > 0 && measuredBytesPerSecond() is { } rate and > 0)
        {
            var needed = TimeSpan.FromSeconds(bodyBytes / rate);
            if (needed > usable)
            {
                throw new CredentialExpiredException(expires,
                    $"at the measured {(rate / 1024).ToString("0.#", CultureInfo.InvariantCulture)} KiB/s per part the next request of {bodyBytes.ToString(CultureInfo.InvariantCulture)} bytes needs about {needed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s, more than the {usable.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s left, so it was not started.");
            }
        }
    }
}
