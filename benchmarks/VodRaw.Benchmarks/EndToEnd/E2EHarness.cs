using System.Diagnostics;
using System.Globalization;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// End-to-end upload throughput against the loopback sink (a separate process). Every measured run happens in a fresh
/// worker process (warm-up first, then the measured upload), so one variant's garbage, heap growth or threads never
/// show in another's peak RSS or GC counts. Every repetition runs every variant, in an order rotated per repetition,
/// so the ratios compare runs taken under the same machine conditions.
/// <code>
/// dotnet run -c Release -- e2e [--short | --matrix] [--reps 5] [--gib 1] [--measured-gib 2] [--parts 1,8,32] [--conc 1,2,4,8] [--out results.jsonl]
/// dotnet run -c Release -- scale [--reps 3] [--sizes 1,4,16]   (VodRaw alone: peak RSS and allocations per upload size, sparse files, 4 x 8 MiB)
/// </code>
/// </summary>
internal static class E2EHarness
{
    private const long WarmUpBytes = 256L << 20;

    /// <summary>With --tls: the sink certificate's PEM, passed to every worker.</summary>
    private static string? TlsCertificatePem { get; set; }

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        var tls = options.Tls ? BenchCertificate.Create(Directory.CreateTempSubdirectory("vodraw-bench-tls-").FullName) : default((string Pfx, string Pem)?);
        using var sink = SinkProcess.Start(computeCrc: false, tls?.Pfx);
        TlsCertificatePem = tls?.Pem;
        var results = new List<RunResult>();
        await using var output = new StreamWriter(options.Output, append: false);

        if (options.Scale)
        {
            for (var rep = 0; rep < options.Repetitions; rep++)
            {
                foreach (var gib in options.ScaleGiB)
                {
                    var sparse = Path.Combine(Path.GetTempPath(), $"vodraw-bench-sparse-{gib}g.bin");
                    await using (var f = new FileStream(sparse, FileMode.Create))
                    {
                        f.SetLength(gib << 30);
                    }

                    var r = await WorkerAsync(sink, "vodraw", 8 << 20, 4, sparse, gib << 30, gib << 30, rep, diagnostics: true);
                    results.Add(r);
                    await output.WriteLineAsync(r.ToJson());
                    File.Delete(sparse);
                }
            }

            PrintScale(results);
            return 0;
        }

        var path = PrepareFile(options.FileBytes);
        foreach (var partSize in options.PartSizes)
        {
            foreach (var concurrency in options.Concurrencies)
            {
                for (var rep = 0; rep < options.Repetitions; rep++)
                {
                    for (var i = 0; i < options.VariantNames.Length; i++)
                    {
                        var name = options.VariantNames[(i + rep) % options.VariantNames.Length];
                        var r = await WorkerAsync(sink, name, partSize, concurrency, path, options.FileBytes, options.Bytes, rep, diagnostics: false);
                        results.Add(r);
                        await output.WriteLineAsync(r.ToJson());
                        await output.FlushAsync();
                    }
                }
            }
        }

        if (options.Checkpoint)
        {
            PrintCheckpointCost(results);
            return 0;
        }

        PrintSummary(results);
        return 0;
    }

    /// <summary>
    /// <c>wan</c>: VodRaw through a sink that behaves like a WAN link (<see cref="WanLink"/>), for each round trip, part
    /// size and concurrency (0 = adaptive); MB/s against the link's capacity. With --seconds, fixed settings upload
    /// about that many seconds' worth at the link model's expected rate (at least 64 MiB) after a warm-up of one part;
    /// otherwise every run, adaptive ones always, uploads --gib after a warm-up of four parts (at least 16 MiB).
    /// </summary>
    public static async Task<int> RunWanAsync(string[] args)
    {
        double[] List(string name, string fallback) => (BenchArgs.Value(args, name) ?? fallback).Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var rtts = List("--rtt", "50,100,200");
        var parts = List("--parts", "8").Select(p => (long)p << 20).ToArray();
        var levels = List("--conc", "0,4,8,16,32").Select(c => (int)c).ToArray();
        var gib = List("--gib", "4")[0];
        var seconds = BenchArgs.Value(args, "--seconds") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : (double?)null;
        var connMbit = List("--conn-mbit", "100")[0];
        var totalMbit = List("--total-mbit", "1000")[0];
        var reps = BenchArgs.Int(args, "--reps", 1);
        var path = PrepareFile(1L << 30);
        await using var output = new StreamWriter(BenchArgs.Value(args, "--out") ?? "wan-results.jsonl", append: false);
        var rows = new List<(double Rtt, RunResult Result)>();
        foreach (var rtt in rtts)
        {
            var link = new WanLink(TimeSpan.FromMilliseconds(rtt), connMbit * 1e6 / 8, totalMbit * 1e6 / 8);
            using var sink = SinkProcess.Start(computeCrc: false, link: link);
            foreach (var partSize in parts)
            {
                foreach (var concurrency in levels)
                {
                    var bytes = (long)(gib * (1L << 30));
                    if (seconds is { } secs && concurrency > 0)
                    {
                        var perConnection = partSize / ((partSize / link.PerConnection) + link.RoundTrip.TotalSeconds);
                        var expected = Math.Min(link.Total, concurrency * perConnection);
                        bytes = Math.Min(bytes, Math.Max(64L << 20, (long)(expected * secs)));
                    }

                    bytes = (bytes + partSize - 1) / partSize * partSize;
                    for (var rep = 0; rep < reps; rep++)
                    {
                        var r = await WorkerAsync(sink, "vodraw", partSize, concurrency, path, 1L << 30, bytes, rep, diagnostics: false, warmUpBytes: Math.Max((seconds is null ? 4 : 1) * partSize, 16L << 20));
                        rows.Add((rtt, r));
                        await output.WriteLineAsync(r.ToJson());
                        await output.FlushAsync();
                    }
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"WAN link: {connMbit} Mbit/s per connection, {totalMbit} Mbit/s in all ({totalMbit * 1e6 / 8 / 1e6:F0} MB/s); medians over {reps} run(s). Conc 'auto' = Concurrency unset."));
        Console.WriteLine("| RTT ms | part | conc | MB/s | of link | vs best fixed | client CPU-s/GiB | peak RSS MiB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var group in rows.GroupBy(r => (r.Rtt, r.Result.PartSize)))
        {
            var byLevel = group.GroupBy(r => r.Result.Concurrency).ToDictionary(g => g.Key, g => MedianOf(g.Select(r => r.Result.MBps)));
            var bestFixed = byLevel.Where(kv => kv.Key > 0).Select(kv => kv.Value).DefaultIfEmpty(double.NaN).Max();
            foreach (var level in group.GroupBy(r => r.Result.Concurrency).OrderBy(g => g.Key == 0 ? int.MaxValue : g.Key))
            {
                var mbps = byLevel[level.Key];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {group.Key.Rtt:F0} | {group.Key.PartSize >> 20} MiB | {(level.Key == 0 ? "auto" : level.Key.ToString(CultureInfo.InvariantCulture))} | {mbps:F1} | {mbps / (totalMbit * 1e6 / 8 / 1e6):F2} | {mbps / bestFixed:F2} | {MedianOf(level.Select(r => r.Result.ClientCpuPerGiB)):F3} | {level.Max(r => r.Result.PeakRssBytes) / 1048576.0:F0} |"));
            }
        }

        return 0;
    }

    /// <summary>The worker: one variant, warmed up, then measured; prints its result as one JSON line.</summary>
    public static async Task<int> RunOneAsync(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        long Long(string name) => long.Parse(Arg(name), CultureInfo.InvariantCulture);
        var name = Arg("--variant");
        var partSize = Long("--part");
        var concurrency = (int)Long("--conc");
        var fileBytes = Long("--file-bytes");
        var bytes = Long("--bytes");
        var sink = new Uri(Arg("--sink"));

        var pem = args.Contains("--tls-cert") ? Arg("--tls-cert") : null;
        var warmUp = args.Contains("--warm-bytes") ? Long("--warm-bytes") : WarmUpBytes;
        using var variants = new Variants(sink, Arg("--file"), fileBytes, pem) { MeasuredLength = Math.Min(bytes, warmUp) };
        await variants.RunAsync(name, partSize, concurrency); // warm-up: JIT, connections, pools, page cache
        variants.MeasuredLength = bytes;
        var meter = new Meter((int)Long("--sink-pid"));
        meter.Start();
        await variants.RunAsync(name, partSize, concurrency);
        var result = meter.Stop(name, partSize, concurrency, variants.BytesFor(name), (int)Long("--rep"));
        if (variants.LastAdaptive is { } adaptive)
        {
            // The adaptive steps (parts in flight: MB/s -> next) and the part memory held against the budget.
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  adaptive: {string.Join(", ", adaptive.History.Select(h => $"{h.Limit}: {h.BytesPerSecond / 1e6:F0} MB/s -> {h.Next}"))}; peak part memory {variants.LastBudget!.PeakHeld / 1048576.0:F0} of {variants.LastBudget.Capacity >> 20} MiB"));
        }

        if (args.Contains("--diagnostics"))
        {
            var gc = GC.GetGCMemoryInfo();
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{bytes >> 30} GiB: {Process.GetCurrentProcess().Threads.Count} threads, GC heap {gc.HeapSizeBytes >> 20} MiB, committed {gc.TotalCommittedBytes >> 20} MiB; {string.Join(", ", File.ReadLines("/proc/self/status").Where(l => l.StartsWith("Rss", StringComparison.Ordinal) || l.StartsWith("VmHWM", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))))}; after a full GC: heap {HeapAfterFullGc() >> 20} MiB"));
        }

        Console.WriteLine(result.ToJson());
        return 0;
    }

    private static async Task<RunResult> WorkerAsync(SinkProcess sink, string name, long partSize, int concurrency, string file, long fileBytes, long bytes, int rep, bool diagnostics, long? warmUpBytes = null)
    {
        string[] arguments =
        [
            .. SinkProcess.HostArguments, "run-one", "--variant", name, "--part", Str(partSize), "--conc", Str(concurrency), "--file", file,
            "--file-bytes", Str(fileBytes), "--bytes", Str(bytes), "--sink", sink.Uri.ToString(), "--sink-pid", Str(sink.Pid), "--rep", Str(rep),
            .. diagnostics ? new[] { "--diagnostics" } : [],
            .. TlsCertificatePem is { } pem ? new[] { "--tls-cert", pem } : [],
            .. warmUpBytes is { } warm ? new[] { "--warm-bytes", Str(warm) } : [],
        ];
        var info = new ProcessStartInfo(Environment.ProcessPath!, arguments) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"worker for {name} exited with {process.ExitCode}");
        }

        var result = RunResult.FromJson(stdout.Trim().Split('\n')[^1]);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {partSize >> 20} MiB x {concurrency} rep {rep}: {result.MBps:F0} MB/s, {result.ClientCpuPerGiB:F3} CPU-s/GiB, peak RSS {result.PeakRssBytes >> 20} MiB"));
        return result;

        static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);
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
        Console.WriteLine("Medians over repetitions (min-max). A repetition where other processes used > 15 % of the CPUs is flagged and left");
        Console.WriteLine("out of the medians while at least 3 clean ones remain. Ratios: VodRaw's figure over the baseline's.");
        Console.WriteLine("| part | conc | variant | MB/s | vs T_net | vs T_file | client CPU-s/GiB | vs T_file | sink CPU-s/GiB | alloc/GiB | gen0/1/2 | peak RSS MiB | flagged |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var verdicts = new List<string>();
        foreach (var group in results.GroupBy(r => (r.PartSize, r.Concurrency)))
        {
            List<RunResult> Clean(string v)
            {
                var runs = group.Where(r => r.Variant == v).ToList();
                var clean = runs.Where(r => r.OtherCpuFraction <= 0.15).ToList();
                return clean.Count >= 3 ? clean : runs;
            }

            double Median(string v, Func<RunResult, double> f) => MedianOf(Clean(v).Select(f));
            var net = Median("net", r => r.MBps);
            var file = Median("file", r => r.MBps);
            var fileCpu = Median("file", r => r.ClientCpuPerGiB);
            foreach (var name in Variants.Names)
            {
                var all = group.Where(r => r.Variant == name).ToList();
                var runs = Clean(name);
                var mbps = MedianOf(runs.Select(r => r.MBps));
                var cpu = MedianOf(runs.Select(r => r.ClientCpuPerGiB));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {group.Key.PartSize >> 20} MiB | {group.Key.Concurrency} | {name} | {mbps:F0} ({runs.Min(r => r.MBps):F0}-{runs.Max(r => r.MBps):F0}) | {mbps / net:F2} | {mbps / file:F2} | {cpu:F3} | {cpu / fileCpu:F2} | {MedianOf(runs.Select(r => r.SinkCpuPerGiB)):F3} | {FormatBytes(MedianOf(runs.Select(r => r.AllocatedPerGiB)))} | {runs.Sum(r => r.Gen0)}/{runs.Sum(r => r.Gen1)}/{runs.Sum(r => r.Gen2)} | {runs.Max(r => r.PeakRssBytes) / 1048576.0:F0} | {all.Count(r => r.OtherCpuFraction > 0.15)} |"));
            }

            var vodraw = Median("vodraw", r => r.MBps);
            var vodrawCpu = Median("vodraw", r => r.ClientCpuPerGiB);
            verdicts.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key.PartSize >> 20} MiB | {group.Key.Concurrency} | {vodraw / file:F2} | {vodraw / net:F2} | {vodrawCpu / fileCpu:F2} | {vodraw / Median("naive", r => r.MBps):F2} | {vodrawCpu / Median("naive", r => r.ClientCpuPerGiB):F3} | {vodraw / Median("curl", r => r.MBps):F2} | {vodrawCpu / Median("curl", r => r.ClientCpuPerGiB):F2} |"));
        }

        Console.WriteLine();
        Console.WriteLine("VodRaw against each baseline (targets: >= 0.95 T_file, >= 0.80 T_net, CPU <= 1.25 T_file, >= 4 x Naive, CPU <= 0.2 x Naive, >= 1.2 x curl at conc >= 2)");
        Console.WriteLine("| part | conc | MB/s vs T_file | vs T_net | CPU vs T_file | MB/s vs Naive | CPU vs Naive | MB/s vs curl | CPU vs curl |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        verdicts.ForEach(Console.WriteLine);
    }

    /// <summary>`e2e --checkpoint`: VodRaw with a live checkpoint against VodRaw without, same run.</summary>
    private static void PrintCheckpointCost(List<RunResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("Checkpoint cost: medians over repetitions (min-max); ratio = with checkpoint / without.");
        Console.WriteLine("| part | conc | MB/s without | MB/s with | ratio | CPU-s/GiB without | with | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var group in results.GroupBy(r => (r.PartSize, r.Concurrency)))
        {
            double Median(string v, Func<RunResult, double> f) => MedianOf(group.Where(r => r.Variant == v).Select(f));
            var (plain, with) = (Median("vodraw", r => r.MBps), Median("vodraw-ckpt", r => r.MBps));
            var (plainCpu, withCpu) = (Median("vodraw", r => r.ClientCpuPerGiB), Median("vodraw-ckpt", r => r.ClientCpuPerGiB));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key.PartSize >> 20} MiB | {group.Key.Concurrency} | {plain:F0} | {with:F0} | {with / plain:F3} | {plainCpu:F3} | {withCpu:F3} | {withCpu / plainCpu:F3} |"));
        }
    }

    private static void PrintScale(List<RunResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("VodRaw alone, 8 MiB x 4, a fresh process per run; medians over repetitions (min-max).");
        Console.WriteLine("| size | MB/s | peak RSS MiB | vs 1 GiB | allocated | alloc/GiB | gen0/1/2 |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var groups = results.GroupBy(r => r.Bytes).OrderBy(g => g.Key).ToList();
        var baseRss = MedianOf(groups[0].Select(r => (double)r.PeakRssBytes));
        foreach (var g in groups)
        {
            var rss = MedianOf(g.Select(r => (double)r.PeakRssBytes));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {g.Key >> 30} GiB | {MedianOf(g.Select(r => r.MBps)):F0} | {rss / 1048576.0:F1} ({g.Min(r => r.PeakRssBytes) / 1048576.0:F1}-{g.Max(r => r.PeakRssBytes) / 1048576.0:F1}) | {rss / baseRss:F3} | {FormatBytes(MedianOf(g.Select(r => (double)r.AllocatedBytes)))} | {FormatBytes(MedianOf(g.Select(r => r.AllocatedPerGiB)))} | {g.Sum(r => r.Gen0)}/{g.Sum(r => r.Gen1)}/{g.Sum(r => r.Gen2)} |"));
        }
    }

    internal static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string FormatBytes(double bytes) => bytes >= 1 << 20
        ? (bytes / 1048576).ToString("F2", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024).ToString("F1", CultureInfo.InvariantCulture) + " KiB";

    /// <param name="FileBytes">The page-cached file's size.</param>
    /// <param name="Bytes">Bytes each in-process variant uploads (the file read around; default twice its size).</param>
    private sealed record Options(long FileBytes, long Bytes, int Repetitions, long[] PartSizes, int[] Concurrencies, string Output, bool Scale, long[] ScaleGiB)
    {
        public string[] VariantNames { get; init; } = Variants.Names;

        public bool Checkpoint { get; init; }

        /// <summary>Serve HTTPS (a throwaway self-signed certificate the clients trust through their handlers).</summary>
        public bool Tls { get; init; }

        public static Options Parse(string[] args)
        {
            var scale = args.Contains("scale");
            var o = new Options(1L << 30, 2L << 30, scale ? 3 : 5, [8L << 20], [4], scale ? "scale-results.jsonl" : "e2e-results.jsonl", scale, [1, 4, 16]);
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => args[++i];
                o = args[i] switch
                {
                    "--reps" => o with { Repetitions = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--gib" => o with { FileBytes = GiB(Next()) },
                    "--measured-gib" => o with { Bytes = GiB(Next()) },
                    "--parts" => o with { PartSizes = Next().Split(',').Select(p => long.Parse(p, CultureInfo.InvariantCulture) << 20).ToArray() },
                    "--conc" => o with { Concurrencies = Next().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() },
                    "--out" => o with { Output = Next() },
                    "--sizes" => o with { ScaleGiB = Next().Split(',').Select(g => long.Parse(g, CultureInfo.InvariantCulture)).ToArray() },
                    "--short" => o with { PartSizes = [8L << 20], Concurrencies = [4], Repetitions = 5 },
                    "--checkpoint" => o with { VariantNames = ["vodraw", "vodraw-ckpt"], Checkpoint = true, Output = "checkpoint-results.jsonl", Repetitions = 6 },
                    "--tls" => o with { Tls = true, Output = o.Output.Replace("results", "tls-results", StringComparison.Ordinal) },
                    "--matrix" => o with { PartSizes = [1L << 20, 8L << 20, 32L << 20], Concurrencies = [1, 2, 4, 8] },
                    _ => o,
                };
            }

            return o;
        }

        private static long GiB(string value) => (long)(double.Parse(value, CultureInfo.InvariantCulture) * (1L << 30));
    }
}

/// <summary>The sink, started once as a child process of the harness.</summary>
internal sealed class SinkProcess : IDisposable
{
    private readonly Process _process;

    private SinkProcess(Process process, int port, bool tls)
    {
        _process = process;
        Uri = new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public Uri Uri { get; }

    public int Pid => _process.Id;

    /// <summary>Under the dotnet host the assembly is the first argument of a child; under the app host (dotnet run) it is not.</summary>
    public static string[] HostArguments =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet" ? [typeof(SinkProcess).Assembly.Location] : [];

    public static SinkProcess Start(bool computeCrc, string? tlsPfx = null, WanLink? link = null)
    {
        string[] arguments = [.. HostArguments, "sink", .. computeCrc ? new[] { "--crc" } : [], .. tlsPfx is null ? [] : new[] { "--tls", tlsPfx }, .. link?.Arguments ?? []];
        var info = new ProcessStartInfo(Environment.ProcessPath!, arguments)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(info)!;
        var port = int.Parse(process.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        return new SinkProcess(process, port, tlsPfx is not null);
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
