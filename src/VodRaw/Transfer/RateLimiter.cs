namespace VodRaw.Transfer;

/// <summary>
/// Caps the bytes per second one client sends, over every upload it runs: a token bucket that may go into debt.
/// Each writer takes its bytes at once and then waits until the bucket is out of debt, so concurrent writers queue
/// in the order they asked and the long-run rate is exact; the bucket holds at most <see cref="Burst"/> unused bytes.
/// Time comes from a <see cref="TimeProvider"/> (tests run it on a fake clock).
/// </summary>
internal sealed class RateLimiter
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    public RateLimiter(long bytesPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bytesPerSecond, 0);
        BytesPerSecond = bytesPerSecond;
        _time = time;
        // A tenth of a second's worth, at least 16 KiB: smooth enough to hold the rate within a few percent over seconds.
        Burst = Math.Max(16 * 1024, bytesPerSecond / 10);
        ChunkSize = (int)Math.Clamp(bytesPerSecond / 20, 4 * 1024, 1024 * 1024);
        _tokens = Burst;
        _last = time.GetTimestamp();
    }

    public long BytesPerSecond { get; }

    /// <summary>The most unused bytes the bucket keeps.</summary>
    public long Burst { get; }

    /// <summary>The largest write to ask for at once: about 50 ms at the rate, so the watchdog and progress keep moving.</summary>
    public int ChunkSize { get; }

    /// <summary>Takes <paramref name="bytes"/> and waits until they are paid for.</summary>
    public Task WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(Burst, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * BytesPerSecond));
            _last = now;
            _tokens -= bytes;
            wait = _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / BytesPerSecond);
        }

        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, _time, cancellationToken);
    }
}
