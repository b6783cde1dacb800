using System.Diagnostics;
using System.Globalization;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>What one run cost: wall time, CPU of this process, of the sink and of everything else, allocations, GCs, peak RSS.</summary>
internal sealed record RunResult(
    string Variant, long PartSize, int Concurrency, long Bytes, double Seconds, double ClientCpuSeconds, double SinkCpuSeconds,
    double OtherCpuFraction, long AllocatedBytes, int Gen0, int Gen1, int Gen2, long PeakRssBytes, int Repetition)
{
    public double MBps => Bytes / Seconds / 1e6;

    public double ClientCpuPerGiB => ClientCpuSeconds / (Bytes / (double)(1L << 30));

    public double SinkCpuPerGiB => SinkCpuSeconds / (Bytes / (double)(1L << 30));

    public double AllocatedPerGiB => AllocatedBytes / (Bytes / (double)(1L << 30));

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"variant\":\"{Variant}\",\"partSize\":{PartSize},\"concurrency\":{Concurrency},\"bytes\":{Bytes},\"seconds\":{Seconds:F4},\"MBps\":{MBps:F1},\"clientCpuPerGiB\":{ClientCpuPerGiB:F4},\"sinkCpuPerGiB\":{SinkCpuPerGiB:F4},\"otherCpuFraction\":{OtherCpuFraction:F4},\"allocatedPerGiB\":{AllocatedPerGiB:F0},\"gen0\":{Gen0},\"gen1\":{Gen1},\"gen2\":{Gen2},\"peakRssMiB\":{PeakRssBytes / 1048576.0:F1},\"rep\":{Repetition}}}");
}

/// <summary>Takes the before/after readings around one run (Linux /proc).</summary>
internal sealed class Meter
{
    private readonly int _sinkPid;
    private TimeSpan _cpu;
    private double _sinkCpu;
    private (double Busy, double Total) _system;
    private long _allocated;
    private int _g0, _g1, _g2;
    private long _start;

    public Meter(int sinkPid) => _sinkPid = sinkPid;

    public void Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ResetPeakRss();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        _sinkCpu = ProcessCpuSeconds(_sinkPid);
        _system = SystemCpu();
        _allocated = GC.GetTotalAllocatedBytes(precise: true);
        (_g0, _g1, _g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        _start = Stopwatch.GetTimestamp();
    }

    public RunResult Stop(string variant, long partSize, int concurrency, long bytes, int repetition)
    {
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - _cpu).TotalSeconds;
        var sinkCpu = ProcessCpuSeconds(_sinkPid) - _sinkCpu;
        var system = SystemCpu();
        var busy = system.Busy - _system.Busy;
        var capacity = system.Total - _system.Total;
        var other = capacity <= 0 ? 0 : Math.Max(0, busy - cpu - sinkCpu) / capacity;
        return new RunResult(variant, partSize, concurrency, bytes, seconds, cpu, sinkCpu, other,
            GC.GetTotalAllocatedBytes(precise: true) - _allocated,
            GC.CollectionCount(0) - _g0, GC.CollectionCount(1) - _g1, GC.CollectionCount(2) - _g2, PeakRss(), repetition);
    }

    private static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long PeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static double ProcessCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0;
    }

    /// <summary>All CPUs' busy and total seconds (USER_HZ = 100).</summary>
    private static (double Busy, double Total) SystemCpu()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        var idle = fields[3] + fields[4];
        return ((total - idle) / 100.0, total / 100.0);
    }
}
