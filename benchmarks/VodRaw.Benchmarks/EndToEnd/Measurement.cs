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

    public static RunResult FromJson(string json)
    {
        var e = System.Text.Json.JsonDocument.Parse(json).RootElement;
        var bytes = e.GetProperty("bytes").GetInt64();
        var gib = bytes / (double)(1L << 30);
        return new RunResult(e.GetProperty("variant").GetString()!, e.GetProperty("partSize").GetInt64(), e.GetProperty("concurrency").GetInt32(), bytes,
            e.GetProperty("seconds").GetDouble(), e.GetProperty("clientCpuPerGiB").GetDouble() * gib, e.GetProperty("sinkCpuPerGiB").GetDouble() * gib,
            e.GetProperty("otherCpuFraction").GetDouble(), (long)(e.GetProperty("allocatedPerGiB").GetDouble() * gib),
            e.GetProperty("gen0").GetInt32(), e.GetProperty("gen1").GetInt32(), e.GetProperty("gen2").GetInt32(),
            (long)(e.GetProperty("peakRssMiB").GetDouble() * 1048576), e.GetProperty("rep").GetInt32());
    }

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"variant\":\"{Variant}\",\"partSize\":{PartSize},\"concurrency\":{Concurrency},\"bytes\":{Bytes},\"seconds\":{Seconds:F6},\"MBps\":{MBps:F1},\"clientCpuPerGiB\":{ClientCpuPerGiB:F6},\"sinkCpuPerGiB\":{SinkCpuPerGiB:F6},\"otherCpuFraction\":{OtherCpuFraction:F4},\"allocatedPerGiB\":{AllocatedPerGiB:F0},\"gen0\":{Gen0},\"gen1\":{Gen1},\"gen2\":{Gen2},\"peakRssMiB\":{PeakRssBytes / 1048576.0:F3},\"rep\":{Repetition}}}");
}

/// <summary>Takes the before/after readings around one run (Linux /proc).</summary>
internal sealed class Meter
{
    private readonly int _sinkPid;
    private TimeSpan _cpu;
    private double _childrenCpu;
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
        _childrenCpu = ChildrenCpuSeconds();
        _sinkCpu = ProcessCpuSeconds(_sinkPid);
        _system = SystemCpu();
        _allocated = GC.GetTotalAllocatedBytes(precise: true);
        (_g0, _g1, _g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        _start = Stopwatch.GetTimestamp();
    }

    public RunResult Stop(string variant, long partSize, int concurrency, long bytes, int repetition)
    {
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        // This process plus the children it reaped during the run (curl): the client's whole CPU cost.
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - _cpu).TotalSeconds + (ChildrenCpuSeconds() - _childrenCpu);
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

    /// <summary>utime + stime of a process (USER_HZ = 100).</summary>
    private static double ProcessCpuSeconds(int pid) => StatSeconds(pid.ToString(CultureInfo.InvariantCulture), 11);

    /// <summary>cutime + cstime of this process: CPU of its children that have exited and been waited for.</summary>
    private static double ChildrenCpuSeconds() => StatSeconds("self", 13);

    private static double StatSeconds(string pid, int field)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[field], CultureInfo.InvariantCulture) + long.Parse(fields[field + 1], CultureInfo.InvariantCulture);
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
