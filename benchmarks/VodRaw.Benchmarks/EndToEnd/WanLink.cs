using System.Diagnostics;
using System.Globalization;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// A WAN link for the sink: every reply waits one round trip after its request's last byte, a new connection waits
/// one round trip before its first read (the handshake), and bodies are read no faster than a token bucket per
/// connection and one over all connections allow (reading slower fills the socket buffers, so the client's writes
/// slow down as they would behind a real link). Loopback stands in for the wire; the sink stands in for COS.
/// </summary>
/// <param name="RoundTrip">Added before every reply and before a connection's first read.</param>
/// <param name="PerConnection">Bytes per second one connection may carry.</param>
/// <param name="Total">Bytes per second all connections together may carry.</param>
internal sealed record WanLink(TimeSpan RoundTrip, double PerConnection, double Total)
{
    /// <summary>The most a paced read takes at once (a few milliseconds of the per-connection rate).</summary>
    public const int ReadSize = 64 * 1024;

    private readonly object _lock = new();
    private double _totalNext; // seconds since start when the link is free again

    /// <summary>Reads "--rtt-ms 100 --conn-mbit 100 --total-mbit 1000"; null without --rtt-ms.</summary>
    public static WanLink? Parse(string[] args)
    {
        if (BenchArgs.Value(args, "--rtt-ms") is not { } rtt)
        {
            return null;
        }

        static double Mbit(string? value, double fallback) => (value is null ? fallback : double.Parse(value, CultureInfo.InvariantCulture)) * 1e6 / 8;
        return new WanLink(TimeSpan.FromMilliseconds(double.Parse(rtt, CultureInfo.InvariantCulture)), Mbit(BenchArgs.Value(args, "--conn-mbit"), 100), Mbit(BenchArgs.Value(args, "--total-mbit"), 1000));
    }

    public string[] Arguments =>
    [
        "--rtt-ms", RoundTrip.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
        "--conn-mbit", (PerConnection * 8 / 1e6).ToString(CultureInfo.InvariantCulture),
        "--total-mbit", (Total * 8 / 1e6).ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>The pacing of one connection.</summary>
    public Connection Open() => new(this);

    /// <summary>Books <paramref name="bytes"/> on the shared link; returns when (seconds since start) they have passed it.</summary>
    private double BookTotal(double now, int bytes)
    {
        lock (_lock)
        {
            _totalNext = Math.Max(_totalNext, now) + (bytes / Total);
            return _totalNext;
        }
    }

    private static readonly long Start = Stopwatch.GetTimestamp();

    private static double Now => Stopwatch.GetElapsedTime(Start).TotalSeconds;

    private static async Task UntilAsync(double at)
    {
        var wait = at - Now;
        if (wait > 0.0005)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait)).ConfigureAwait(false);
        }
    }

    /// <summary>One connection's token bucket (times are absolute, so timer slack does not add up).</summary>
    internal sealed class Connection(WanLink link)
    {
        private double _next;

        /// <summary>After reading <paramref name="bytes"/> of a body: waits until both buckets have passed them.</summary>
        public Task PaceAsync(int bytes)
        {
            var now = Now;
            _next = Math.Max(_next, now) + (bytes / link.PerConnection);
            return UntilAsync(Math.Max(_next, link.BookTotal(now, bytes)));
        }

        /// <summary>One round trip: before a reply, and before a new connection's first read.</summary>
        public Task RoundTripAsync() => Task.Delay(link.RoundTrip);
    }
}
