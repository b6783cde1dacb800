using VodRaw.Transfer;

namespace VodRaw.Tests.Transfer;

/// <summary>
/// The adaptive setting against a simulated link (a discrete-event model on a fake clock, no sockets): each part takes
/// its bytes at the per-connection rate (the link's total shared out) plus one round trip.
/// </summary>
public class AdaptiveConcurrencyTests
{
    private const long Part = 8L * 1024 * 1024;

    [Theory]
    [InlineData(50)]
    [InlineData(100)]
    [InlineData(200)]
    public void GrowsUntilTheLinkIsFullOnLongRoundTrips(int rttMs)
    {
        // 100 Mbit/s per connection, 1 Gbit/s in all: ten connections fill the link.
        var link = new Link(PerConnection: 12.5e6, Total: 125e6, RoundTrip: TimeSpan.FromMilliseconds(rttMs));
        var (adaptive, rate, seconds) = Simulate(link, parts: 512, ceiling: 64); // 4 GiB
        var best = BestFixed(link, parts: 512);
        var bestSeconds = new[] { 4, 8, 16, 32, 64 }.Min(n => Simulate(link, 512, n, n).Seconds);
        Assert.True(bestSeconds / seconds >= 0.9, $"whole upload {seconds:F1} s, best fixed {bestSeconds:F1} s; steps {Describe(adaptive!)}");

        Assert.InRange(adaptive!.Limit, 10, 32);
        Assert.True(rate >= 0.9 * best, $"steady rate {rate / 1e6:F1} MB/s, best fixed {best / 1e6:F1}; steps {Describe(adaptive)}");
        Assert.True(rate >= 0.9 * link.Total, $"steady rate {rate / 1e6:F1} MB/s of {link.Total / 1e6:F0}");
        Assert.Equal(4, adaptive.History[0].Limit);
    }

    [Fact]
    public void HoldsTheStartingSettingWhenMorePartsDoNotGoFaster()
    {
        // A local bottleneck (CPU, disk, a fast link): the rate is the same at any setting.
        var link = new Link(PerConnection: 1e12, Total: 400e6, RoundTrip: TimeSpan.FromMilliseconds(0.2));
        var (adaptive, _, _) = Simulate(link, parts: 300, ceiling: 64);

        Assert.Equal(4, adaptive!.Limit);
        Assert.Equal([4, 8], adaptive.History.Select(s => s.Limit));
        Assert.Equal(4, adaptive.History[^1].Next);
    }

    [Fact]
    public void NeverPassesTheCeilingTheMemoryBudgetSets()
    {
        var link = new Link(PerConnection: 12.5e6, Total: 125e6, RoundTrip: TimeSpan.FromMilliseconds(200));
        var (adaptive, _, _) = Simulate(link, parts: 300, ceiling: 6);

        Assert.Equal(6, adaptive!.Limit);
        Assert.All(adaptive.History, s => Assert.InRange(s.Next, 1, 6));
    }

    [Fact]
    public void ThrottlingHalvesTheSettingOncePerPartAndHoldsIt()
    {
        var time = new SteppingTime();
        using var gate = new ConcurrencyGate(16, 64);
        var adaptive = new AdaptiveConcurrency(gate, time);
        adaptive.PartCompleted(Part, TimeSpan.FromSeconds(1)); // one part takes 1 s

        adaptive.Throttled();
        adaptive.Throttled(); // the same burst of 503s: ignored
        Assert.Equal(8, adaptive.Limit);

        time.Advance(TimeSpan.FromSeconds(1.5));
        adaptive.Throttled();
        Assert.Equal(4, adaptive.Limit);

        // Held: completions after throttling do not raise it again.
        for (var i = 0; i < 50; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            adaptive.PartCompleted(Part, TimeSpan.FromMilliseconds(400));
        }

        Assert.Equal(4, adaptive.Limit);
    }

    [Fact]
    public async Task TheGateLetsWaitersInWhenRaisedAndTakesSlotsBackAsHoldersLeaveWhenLowered()
    {
        using var gate = new ConcurrencyGate(2, 8);
        await gate.WaitAsync(CancellationToken.None);
        await gate.WaitAsync(CancellationToken.None);
        var third = gate.WaitAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);

        gate.SetLimit(3);
        await third.WaitAsync(TimeSpan.FromSeconds(5)); // raised: let in at once

        gate.SetLimit(1); // three held: two slots are owed
        gate.Release();
        gate.Release();
        var next = gate.WaitAsync(CancellationToken.None);
        Assert.False(next.IsCompleted); // one still held = the new limit
        gate.Release();
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, gate.Limit);

        gate.SetLimit(100);
        Assert.Equal(8, gate.Limit); // clamped to the ceiling
    }

    private static string Describe(AdaptiveConcurrency adaptive) =>
        string.Join(", ", adaptive.History.Select(s => $"{s.Limit}:{s.BytesPerSecond / 1e6:F1}->{s.Next}"));

    /// <summary>
    /// Runs <paramref name="parts"/> parts through the link in 5 ms steps: the parts still sending share the link's
    /// total (each at most the per-connection rate), then wait a round trip for the reply. Returns the controller (null
    /// with a <paramref name="fixedLimit"/>) and the link's rate from the time half the parts are done until the last
    /// one has started (before the tail, where fewer parts are left than slots).
    /// </summary>
    private static (AdaptiveConcurrency? Adaptive, double SteadyRate, double Seconds) Simulate(Link link, int parts, int ceiling, int? fixedLimit = null)
    {
        const double Step = 0.005;
        var time = new SteppingTime();
        var gate = new ConcurrencyGate(fixedLimit ?? TransferOptions.DefaultConcurrency, fixedLimit ?? ceiling);
        var adaptive = fixedLimit is null ? new AdaptiveConcurrency(gate, time) : null;
        var inFlight = new List<Flight>();
        double now = 0;
        var started = 0;
        var done = 0;
        double steadySeconds = 0;
        double steadyBytes = 0;
        while (done < parts)
        {
            while (inFlight.Count < gate.Limit && started < parts)
            {
                inFlight.Add(new Flight { Start = now, Remaining = Part });
                started++;
            }

            var sending = inFlight.Count(f => f.Remaining > 0);
            var share = sending == 0 ? 0 : Math.Min(link.PerConnection, link.Total / sending);
            now += Step;
            time.Advance(TimeSpan.FromSeconds(Step));
            var steady = done >= parts / 2 && started < parts;
            if (steady)
            {
                steadySeconds += Step;
                steadyBytes += share * sending * Step;
            }

            foreach (var f in inFlight.Where(f => f.Remaining > 0))
            {
                f.Remaining -= share * Step;
                if (f.Remaining <= 0)
                {
                    f.ReplyAt = now + link.RoundTrip.TotalSeconds;
                }
            }

            foreach (var f in inFlight.Where(f => f.Remaining <= 0 && f.ReplyAt <= now).ToList())
            {
                inFlight.Remove(f);
                adaptive?.PartCompleted(Part, TimeSpan.FromSeconds(now - f.Start));
                done++;
            }
        }

        return (adaptive, steadyBytes / steadySeconds, now);
    }

    private static double BestFixed(Link link, int parts) =>
        new[] { 1, 2, 4, 8, 16, 32, 64 }.Max(n => Simulate(link, parts, n, n).SteadyRate);

    private sealed class Flight
    {
        public double Start { get; init; }

        public double Remaining { get; set; }

        public double ReplyAt { get; set; } = double.MaxValue;
    }

    private sealed record Link(double PerConnection, double Total, TimeSpan RoundTrip);

    /// <summary>A clock that moves only when told to (timestamps in ticks).</summary>
    private sealed class SteppingTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
