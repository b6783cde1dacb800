using System.Diagnostics;
using System.Globalization;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// End-to-end upload throughput against the loopback sink (a separate process). Every repetition runs every variant,
/// in an order rotated per repetition, so the ratios compare runs taken under the same machine conditions.
/// <code>
/// dotnet run -c Release -- e2e [--short] [--reps 5] [--gib 1] [--parts 1,8,32] [--conc 1,2,4,8] [--out results.jsonl]
/// dotnet run -c Release -- scale                      (peak RSS and allocations for 1, 4, 16 GiB sparse files at 4 x 8 MiB)
/// </code>
/// </summary>
internal static class E2EHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        using var sink = SinkProcess.Start(computeCrc: false);
        var path = options.Scale ? null : PrepareFile(options.Bytes);
        var results = new List<RunResult>();
        var meter = new Meter(sink.Pid);
        await using var output = new StreamWriter(options.Output, append: false);

        if (options.Scale)
        {
            foreach (var gib in new[] { 1L, 4L, 16L })
            {
                var sparse = Path.Combine(Path.GetTempPath(), $"vodraw-bench-sparse-{gib}g.bin");
                await using (var f = new FileStream(sparse, FileMode.Create))
                {
                    f.SetLength(gib << 30);
                }

                using var v = new Variants(sink.Uri, sparse, gib << 30);
                await v.RunAsync("vodraw", 8 << 20, 4); // warm-up on the same file
                meter.Start();
                await v.RunAsync("vodraw", 8 << 20, 4);
                var r = meter.Stop($"vodraw-{gib}GiB", 8 << 20, 4, gib << 30, 1);
                Console.Error.WriteLine($"{gib} GiB: {Process.GetCurrentProcess().Threads.Count} threads, thread-pool threads {ThreadPool.ThreadCount}, GC heap {GC.GetGCMemoryInfo().HeapSizeBytes >> 20} MiB, committed {GC.GetGCMemoryInfo().TotalCommittedBytes >> 20} MiB; after a full GC: heap {HeapAfterFullGc() >> 20} MiB");
                results.Add(r);
                await output.WriteLineAsync(r.ToJson());
                File.Delete(sparse);
            }

            PrintScale(results);
            return 0;
        }

        using var variants = new Variants(sink.Uri, path!, options.Bytes);
        foreach (var partSize in options.PartSizes)
        {
            foreach (var concurrency in options.Concurrencies)
            {
                foreach (var name in Variants.Names)
                {
                    await variants.RunAsync(name, partSize, concurrency); // warm-up: JIT, connections, page cache
                }

                for (var rep = 0; rep < options.Repetitions; rep++)
                {
                    for (var i = 0; i < Variants.Names.Length; i++)
                    {
                        var name = Variants.Names[(i + rep) % Variants.Names.Length];
                        meter.Start();
                        await variants.RunAsync(name, partSize, concurrency);
                        var r = meter.Stop(name, partSize, concurrency, options.Bytes, rep);
                        results.Add(r);
                        await output.WriteLineAsync(r.ToJson());
                    }
                }
            }
        }

        PrintSummary(results);
        return 0;
    }

    private static long HeapAfterFullGc()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetGCMemoryInfo().HeapSizeBytes;
    }

    private static string PrepareFile(long bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vodraw-bench-{bytes}.bin");
        if (!File.Exists(path) || new FileInfo(path).Length != bytes)
        {
            var block = new byte[1 << 20];
            new Random(7).NextBytes(block);
            using var f = new FileStream(path, FileMode.Create);
            for (long done = 0; done < bytes; done += block.Length)
            {
                f.Write(block, 0, (int)Math.Min(block.Length, bytes - done));
            }
        }

        return path;
    }

    private static void PrintSummary(List<RunResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("Medians over repetitions (min-max). Other-CPU > 15 % flags a disturbed repetition (!).");
        Console.WriteLine("| part | conc | variant | MB/s | vs T_net | vs T_file | client CPU-s/GiB | vs T_file | sink CPU-s/GiB | alloc/GiB | gen0/1/2 | peak RSS MiB | flagged |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in results.GroupBy(r => (r.PartSize, r.Concurrency)))
        {
            double Median(string v, Func<RunResult, double> f) => MedianOf(group.Where(r => r.Variant == v).Select(f));
            var net = Median("net", r => r.MBps);
            var file = Median("file", r => r.MBps);
            var fileCpu = Median("file", r => r.ClientCpuPerGiB);
            foreach (var name in Variants.Names)
            {
                var runs = group.Where(r => r.Variant == name).ToList();
                var mbps = MedianOf(runs.Select(r => r.MBps));
                var cpu = MedianOf(runs.Select(r => r.ClientCpuPerGiB));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {group.Key.PartSize >> 20} MiB | {group.Key.Concurrency} | {name} | {mbps:F0} ({runs.Min(r => r.MBps):F0}-{runs.Max(r => r.MBps):F0}) | {mbps / net:F2} | {mbps / file:F2} | {cpu:F3} | {cpu / fileCpu:F2} | {MedianOf(runs.Select(r => r.SinkCpuPerGiB)):F3} | {FormatBytes(MedianOf(runs.Select(r => r.AllocatedPerGiB)))} | {runs.Sum(r => r.Gen0)}/{runs.Sum(r => r.Gen1)}/{runs.Sum(r => r.Gen2)} | {runs.Max(r => r.PeakRssBytes) / 1048576.0:F0} | {runs.Count(r => r.OtherCpuFraction > 0.15)} |"));
            }
        }
    }

    private static void PrintScale(List<RunResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("| size | MB/s | peak RSS MiB | vs 1 GiB | allocated | alloc/GiB | gen2 |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var baseRss = results[0].PeakRssBytes;
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Bytes >> 30} GiB | {r.MBps:F0} | {r.PeakRssBytes / 1048576.0:F1} | {(double)r.PeakRssBytes / baseRss:F3} | {FormatBytes(r.AllocatedBytes)} | {FormatBytes(r.AllocatedPerGiB)} | {r.Gen2} |"));
        }
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string FormatBytes(double bytes) => bytes >= 1 << 20
        ? (bytes / 1048576).ToString("F2", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024).ToString("F1", CultureInfo.InvariantCulture) + " KiB";

    private sealed record Options(long Bytes, int Repetitions, long[] PartSizes, int[] Concurrencies, string Output, bool Scale)
    {
        public static Options Parse(string[] args)
        {
            var o = new Options(1L << 30, 5, [8L << 20], [4], "e2e-results.jsonl", args.Contains("scale"));
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => args[++i];
                o = args[i] switch
                {
                    "--reps" => o with { Repetitions = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--gib" => o with { Bytes = (long)(double.Parse(Next(), CultureInfo.InvariantCulture) * (1L << 30)) },
                    "--parts" => o with { PartSizes = Next().Split(',').Select(p => long.Parse(p, CultureInfo.InvariantCulture) << 20).ToArray() },
                    "--conc" => o with { Concurrencies = Next().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() },
                    "--out" => o with { Output = Next() },
                    "--matrix" => o with { PartSizes = [1L << 20, 8L << 20, 32L << 20], Concurrencies = [1, 2, 4, 8] },
                    _ => o,
                };
            }

            return o;
        }
    }
}

/// <summary>The sink, started once as a child process of the harness.</summary>
internal sealed class SinkProcess : IDisposable
{
    private readonly Process _process;

    private SinkProcess(Process process, int port)
    {
        _process = process;
        Uri = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public Uri Uri { get; }

    public int Pid => _process.Id;

    public static SinkProcess Start(bool computeCrc)
    {
        var assembly = typeof(SinkProcess).Assembly.Location;
        var info = new ProcessStartInfo(Environment.ProcessPath!, [assembly, "sink", .. computeCrc ? new[] { "--crc" } : []])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(info)!;
        var port = int.Parse(process.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        return new SinkProcess(process, port);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
