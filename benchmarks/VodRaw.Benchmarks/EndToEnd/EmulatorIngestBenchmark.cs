using System.Diagnostics;
using System.Globalization;
using VodRaw.Emulator;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// The emulator's ingest rate: a sparse file uploaded in 8 MiB parts (VodRaw, 4 in flight) into an in-process
/// emulator, with and without storing content. Reports MB/s and the process's CPU-seconds per GiB (client and
/// emulator together: a change on the emulator's side shows as the difference between two builds).
/// <code>
/// dotnet run -c Release -- emulator-ingest [--gib 2] [--reps 3]
/// </code>
/// </summary>
internal static class EmulatorIngestBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var gib = BenchArgs.Int(args, "--gib", 2);
        var reps = BenchArgs.Int(args, "--reps", 3);
        var file = Path.Combine(Path.GetTempPath(), $"vodraw-ingest-{Guid.NewGuid():N}.mp4");
        await using (var sparse = new FileStream(file, FileMode.CreateNew))
        {
            sparse.SetLength((long)gib << 30);
        }

        try
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{gib} GiB sparse file, 8 MiB parts, 4 in flight, {reps} repetitions (median)"));
            Console.WriteLine("| emulator | MB/s | CPU-s per GiB |");
            Console.WriteLine("|---|---|---|");
            foreach (var store in new[] { false, true })
            {
                var data = store ? Directory.CreateTempSubdirectory("vodraw-ingest-data-").FullName : null;
                await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { StoreContent = store, DataDirectory = data });
                using var client = emulator.CreateClient(o => o.Transfer.PartSize = 8 << 20);
                await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = file }); // warm-up
                var rates = new List<double>();
                var cpus = new List<double>();
                for (var rep = 0; rep < reps; rep++)
                {
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var watch = Stopwatch.StartNew();
                    await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = file });
                    rates.Add(((double)gib * (1 << 30)) / watch.Elapsed.TotalSeconds / 1e6);
                    cpus.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / gib);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(store ? "storing content" : "StoreContent = false")} | {E2EHarness.MedianOf(rates):F0} | {E2EHarness.MedianOf(cpus):F2} |"));
                if (data is not null)
                {
                    Directory.Delete(data, recursive: true);
                }
            }

            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
