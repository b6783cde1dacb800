namespace VodRaw;

/// <summary>
/// A credential fetched from somewhere (an STS AssumeRole call, a secret store) and kept until shortly before it
/// expires; then the next call fetches a fresh one. One fetch at a time: concurrent callers wait for it. A failed
/// fetch is not cached (the next call tries again) and, while the old credential is still valid, that one is used.
/// </summary>
public sealed class RefreshingCredentialProvider : IVodCredentialProvider
{
    /// <summary>The default margin before expiry at which a credential is refreshed: 5 minutes.</summary>
    public static readonly TimeSpan DefaultRefreshBefore = TimeSpan.FromMinutes(5);

    private readonly Func<CancellationToken, ValueTask<(VodCredential Credential, DateTimeOffset ExpiresAt)>> _fetch;
    private readonly TimeSpan _refreshBefore;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (VodCredential Credential, DateTimeOffset ExpiresAt)? _current;

    /// <summary>Creates the provider.</summary>
    /// <param name="fetch">Fetches a credential and says when it expires (for a permanent key, <see cref="DateTimeOffset.MaxValue"/>).</param>
    /// <param name="refreshBefore">How long before expiry to fetch again. Default 5 minutes; not negative.</param>
    /// <param name="timeProvider">The clock. Default <see cref="TimeProvider.System"/>.</param>
    public RefreshingCredentialProvider(
        Func<CancellationToken, ValueTask<(VodCredential Credential, DateTimeOffset ExpiresAt)>> fetch, TimeSpan? refreshBefore = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        _refreshBefore = refreshBefore ?? DefaultRefreshBefore;
        ArgumentOutOfRangeException.ThrowIfLessThan(_refreshBefore, TimeSpan.Zero, nameof(refreshBefore));
        _fetch = fetch;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many times the credential was fetched (for monitoring and tests).</summary>
    public int Fetches { get; private set; }

    /// <inheritdoc />
    public async ValueTask<VodCredential> GetCredentialAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_current) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(_current) is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }

            try
            {
                var fetched = await _fetch(cancellationToken).ConfigureAwait(false);
                ArgumentNullException.ThrowIfNull(fetched.Credential, "credential");
                Fetches++;
                _current = fetched;
                return fetched.Credential;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && _current is { } old && old.ExpiresAt > _time.GetUtcNow())
            {
                // The refresh failed but the old credential still works: use it, and try again next call.
                return old.Credential;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private VodCredential? Fresh((VodCredential Credential, DateTimeOffset ExpiresAt)? current) =>
        current is { } c && (c.ExpiresAt == DateTimeOffset.MaxValue || c.ExpiresAt - _refreshBefore > _time.GetUtcNow()) ? c.Credential : null;
}
