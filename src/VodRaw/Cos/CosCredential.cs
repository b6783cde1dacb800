using VodRaw.Signing;

namespace VodRaw.Cos;

/// <summary>
/// The credential COS requests are signed with (normally ApplyUpload's TempCertificate) and its expiry. Whether a
/// request may still be started with it is <see cref="CredentialExpiryGuard"/>'s decision.
/// </summary>
internal sealed class CosCredential
{
    public CosCredential(string secretId, string secretKey, string? token, DateTimeOffset? expiresAt)
    {
        Signer = new CosSigner(secretId, secretKey);
        Token = token;
        ExpiresAt = expiresAt;
    }

    public CosSigner Signer { get; }

    public string? Token { get; }

    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The signature window for now: a minute back (clock skew), an hour ahead, never past the expiry.</summary>
    public CosKeyTime KeyTimeFor(DateTimeOffset now)
    {
        var start = now.ToUnixTimeSeconds() - 60;
        var end = now.ToUnixTimeSeconds() + 3600;
        if (ExpiresAt is { } e)
        {
            end = Math.Max(start + 1, Math.Min(end, e.ToUnixTimeSeconds()));
        }

        return new CosKeyTime(start, end);
    }
}
