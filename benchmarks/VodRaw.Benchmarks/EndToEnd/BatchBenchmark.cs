using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VodRaw.Emulator;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// The CLI's batch uploads as whole processes against the emulator (content not stored):
/// <list type="bullet">
/// <item><c>memory</c>: peak RSS (VmHWM, polled) of a 200-file batch (190 small files of 4–400 KiB and ten 64 MiB sparse
/// ones) against one file of the same total size, same concurrency and part size; ratio per repetition, order rotated.</item>
/// <item><c>rate</c>: a 200 MiB upload with <c>--limit-rate</c>: the rate the CLI reports and the rate the emulator saw
/// (first to last part), against the cap.</item>
/// </list>
/// <code>
/// dotnet build src/VodRaw.Cli -c Release
/// dotnet run -c Release -- batch [--reps 3] [--files 200] [--conc 4] [--part-mib 8] [--rate-mib 20] [--batch-args '--max-files-in-flight 1']
/// </code>
/// </summary>
internal static class BatchBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var reps = BenchArgs.Int(args, "--reps", 3);
        var files = BenchArgs.Int(args, "--files", 200);
        var concurrency = BenchArgs.Int(args, "--conc", 4);
        var partMiB = BenchArgs.Int(args, "--part-mib", 8);
        var rateMiB = BenchArgs.Int(args, "--rate-mib", 20);
        var batchArgs = (BenchArgs.Value(args, "--batch-args") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cli = CliPath();
        var root = Directory.CreateTempSubdirectory("vodraw-bench-batch-").FullName;
        try
        {
            var (tree, total) = WriteTree(Path.Combine(root, "tree"), files);
            var single = Path.Combine(root, "single.mp4");
            using (var f = File.Create(single))
            {
                f.SetLength(total);
            }

            await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { StoreContent = false });
            string[] Common(string state) =>
            [
                "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}",
                "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture), "--part-size", partMiB.ToString(CultureInfo.InvariantCulture) + "MiB",
                "--checkpoint-dir", state, "--quiet", "--json",
            ];

            var rss = new Dictionary<string, List<double>> { ["single file"] = [], ["batch"] = [] };
            for (var rep = 0; rep < reps; rep++)
            {
                foreach (var which in rep % 2 == 0 ? new[] { "single file", "batch" } : ["batch", "single file"])
                {
                    var state = Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"state-{rep}-{which.Length}"));
                    string[] command = which == "batch" ? ["upload", tree, "--recursive", .. Common(state), .. batchArgs] : ["upload", single, .. Common(state)];
                    var (peak, seconds, output) = await RunCliAsync(cli, emulator, command);
                    rss[which].Add(peak / 1048576.0);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rep {rep} {which}: peak RSS {peak / 1048576.0:F1} MiB, {seconds:F1} s"));
                    if (!output.Contains("\"fileId\"", StringComparison.Ordinal) && !output.Contains("\"committed\"", StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException("the upload failed: " + output);
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory: {files} files ({total >> 20} MiB) vs one file of {total >> 20} MiB, concurrency {concurrency}, {partMiB} MiB parts, {reps} reps"));
            Console.WriteLine("| variant | peak RSS MiB (median, min-max) |");
            Console.WriteLine("|---|---|");
            foreach (var (name, values) in rss)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {E2EHarness.MedianOf(values):F1} ({values.Min():F1}-{values.Max():F1}) |"));
            }

            var ratios = rss["batch"].Zip(rss["single file"], (b, s) => b / s).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch / single, per repetition: {string.Join(", ", ratios.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))} (median {E2EHarness.MedianOf(ratios):F3})"));

            // The rate cap: 200 MiB at --limit-rate, about 10 s at 20 MiB/s.
            var capped = Path.Combine(root, "capped.mp4");
            using (var f = File.Create(capped))
            {
                f.SetLength(10L * rateMiB << 20);
            }

            emulator.ClearRequests();
            var (_, wall, json) = await RunCliAsync(cli, emulator, ["upload", capped, "--limit-rate", rateMiB.ToString(CultureInfo.InvariantCulture) + "MiB", .. Common(Path.Combine(root, "state-rate"))]);
            var result = JsonDocument.Parse(json.Trim()).RootElement;
            var reported = result.GetProperty("bytes").GetInt64() / result.GetProperty("seconds").GetDouble();
            var parts = emulator.Requests.Where(r => r.Operation == EmulatorOperation.UploadPart).OrderBy(r => r.At).ToList();
            var seen = (parts.Sum(r => r.BodyBytes) - parts[^1].BodyBytes) / (parts[^1].At - parts[0].At).TotalSeconds; // arrivals: the last part's bytes came after the first's arrival
            var cap = (double)rateMiB * (1 << 20);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rate: {10 * rateMiB} MiB with --limit-rate {rateMiB}MiB: CLI reports {reported / (1 << 20):F2} MiB/s ({reported / cap:F3} of the cap) over {result.GetProperty("seconds").GetDouble():F1} s; the emulator saw {seen / (1 << 20):F2} MiB/s ({seen / cap:F3}) from first to last part arrival; process {wall:F1} s"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static (string Tree, long Total) WriteTree(string tree, int files)
    {
        var random = new Random(1202);
        long total = 0;
        var big = Math.Min(10, files);
        for (var i = 0; i < files; i++)
        {
            var folder = Path.Combine(tree, string.Create(CultureInfo.InvariantCulture, $"season {i % 7}"), i % 3 == 0 ? "extra" : string.Empty);
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"episode {i:000}.mp4"));
            using var f = File.Create(path);
            if (i < big)
            {
                f.SetLength(64L << 20); // sparse
                total += 64L << 20;
            }
            else
            {
                var bytes = new byte[4096 + random.Next(396 * 1024)];
                random.NextBytes(bytes);
                f.Write(bytes);
                total += bytes.Length;
            }
        }

        return (tree, total);
    }

    /// <summary>Runs the CLI to its end; its peak RSS is VmHWM polled every 5 ms (monotonic, so the last reading is the peak but for the final moments).</summary>
    private static async Task<(long PeakRss, double Seconds, string Output)> RunCliAsync(string cli, VodEmulator emulator, string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["TENCENTCLOUD_SECRET_ID"] = emulator.Credential.SecretId;
        start.Environment["TENCENTCLOUD_SECRET_KEY"] = emulator.Credential.SecretKey;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        long peak = 0;
        var threads = 0;
        var status = $"/proc/{process.Id}/status";
        while (!process.HasExited)
        {
            try
            {
                foreach (var line in File.ReadLines(status))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        peak = Math.Max(peak, long.Parse(line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
                    }
                    else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                    {
                        threads = Math.Max(threads, int.Parse(line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (IOException)
            {
                // exited between the check and the read
            }

            await Task.Delay(5);
        }

        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"vodraw exited {process.ExitCode}: {await error}");
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {args[1]}: at most {threads} threads"));
        foreach (var l in (await error).Split('\n').Where(l => l.StartsWith("DBG", StringComparison.Ordinal)))
        {
            Console.Error.WriteLine("  " + l);
        }
        return (peak, watch.Elapsed.TotalSeconds, await output);
    }

    private static string CliPath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "VodRaw.sln")))
        {
            directory = directory.Parent;
        }

        var cli = Path.Combine(directory?.FullName ?? ".", "src", "VodRaw.Cli", "bin", "Release", "net10.0", "VodRaw.Cli.dll");
        return File.Exists(cli) ? cli : throw new InvalidOperationException($"build the CLI first: dotnet build src/VodRaw.Cli -c Release ({cli} not found)");
    }
}
