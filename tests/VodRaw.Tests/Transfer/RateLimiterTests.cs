using Microsoft.Extensions.Time.Testing;
using VodRaw.Transfer;

namespace VodRaw.Tests.Transfer;

public sealed class RateLimiterTests
{
    [Fact]
    public async Task TheBurstGoesAtOnceAndTheRestWaitsForItsTime()
    {
        var clock = new FakeTimeProvider();
        var limiter = new RateLimiter(1_000_000, clock);
        Assert.Equal(100_000, limiter.Burst);
        await limiter.WaitAsync(100_000, CancellationToken.None); // the full bucket: no wait
        var next = limiter.WaitAsync(50_000, CancellationToken.None);
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await next.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ConcurrentWritersTogetherGetTheRateOverTime()
    {
        // 20 writers × 50 chunks of 10,000 bytes at 1,000,000 B/s: 10,000,000 bytes take 9.9 s after the burst.
        var clock = new FakeTimeProvider();
        var limiter = new RateLimiter(1_000_000, clock);
        var sent = 0L;
        var writers = Enumerable.Range(0, 20).Select(async _ =>
        {
            for (var i = 0; i < 50; i++)
            {
                await limiter.WaitAsync(10_000, CancellationToken.None);
                Interlocked.Add(ref sent, 10_000);
            }
        }).ToArray();
        var elapsed = TimeSpan.Zero;
        var samples = new List<(TimeSpan At, long Bytes)>();
        while (!writers.All(w => w.IsCompleted))
        {
            await Task.Delay(1);
            clock.Advance(TimeSpan.FromMilliseconds(10));
            elapsed += TimeSpan.FromMilliseconds(10);
            samples.Add((elapsed, Interlocked.Read(ref sent)));
            Assert.True(elapsed < TimeSpan.FromSeconds(60), "the writers stalled");
        }

        await Task.WhenAll(writers);
        // Bytes sent by any moment never exceed burst + rate × time (plus one chunk being paid for).
        foreach (var (at, bytes) in samples)
        {
            Assert.True(bytes <= 100_000 + (at.TotalSeconds * 1_000_000) + 10_000 * 20, $"{bytes} bytes by {at}");
        }

        Assert.InRange(elapsed.TotalSeconds, 9.8, 10.3);
    }

    [Fact]
    public async Task AWaitIsCancellable()
    {
        var clock = new FakeTimeProvider();
        var limiter = new RateLimiter(10_000, clock);
        await limiter.WaitAsync(16 * 1024, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var wait = limiter.WaitAsync(10_000, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
