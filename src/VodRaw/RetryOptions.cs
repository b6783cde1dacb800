namespace VodRaw;

/// <summary>
/// How transient failures are retried: exponential backoff with full jitter, honouring Retry-After. Transient means
/// network failures, inactivity timeouts, HTTP 5xx and 429, COS SlowDown/RequestTimeout, VOD RequestLimitExceeded, and a
/// Complete Multipart Upload that answered 200 with an error. Authentication and parameter errors are never retried.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Attempts per request, including the first. Default 5; range 1–20.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Backoff base: the n-th retry waits a random time in [0, min(MaxDelay, InitialDelay × 2^(n−1))]. Default 0.5 s.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound of one backoff wait, and of an honoured Retry-After. Default 20 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    internal RetryOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxAttempts, 20, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialDelay, TimeSpan.Zero, nameof(InitialDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, InitialDelay, nameof(MaxDelay));
        return new RetryOptions { MaxAttempts = MaxAttempts, InitialDelay = InitialDelay, MaxDelay = MaxDelay };
    }
}
