using System.Diagnostics;
using System.Globalization;
using VodRaw.Emulator;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// An HLS package of many small segments against the emulator with a fixed latency added to every request (a
/// distant region's round trip): VodRaw uploading files in parallel versus the same upload one file at a time
/// (ConcurrentUploadNumber = 1, which is what the reference SDK does for segments). Wall-clock ratios, same run.
/// <code>
/// dotnet run -c Release -- segments [--count 600] [--kib 16] [--latency-ms 20] [--reps 3] [--conc 4,8,16]
/// </code>
/// </summary>
internal static class SegmentsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchArgs.Int(args, "--count", 600);
        var kib = BenchArgs.Int(args, "--kib", 16);
        var latency = TimeSpan.FromMilliseconds(BenchArgs.Int(args, "--latency-ms", 20));
        var reps = BenchArgs.Int(args, "--reps", 3);
        var concurrencies = (BenchArgs.Value(args, "--conc") ?? "4,8,16").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();

        var package = Directory.CreateTempSubdirectory("vodraw-bench-segments-").FullName;
        try
        {
            var manifest = WritePackage(package, count, kib << 10);
            await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { StoreContent = false, Latency = latency });
            var variants = new List<(string Name, int Concurrency, ManifestDiscovery Discovery)> { ("sequential", 1, ManifestDiscovery.Local) };
            variants.AddRange(concurrencies.Select(c => ($"vodraw c={c}", c, ManifestDiscovery.Local)));
            variants.Add(($"vodraw c={concurrencies[0]} service", concurrencies[0], ManifestDiscovery.Service));

            var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
            foreach (var v in variants)
            {
                await UploadAsync(emulator, manifest, v.Concurrency, v.Discovery); // warm-up: JIT, connections
            }

            for (var rep = 0; rep < reps; rep++)
            {
                for (var i = 0; i < variants.Count; i++)
                {
                    var v = variants[(i + rep) % variants.Count];
                    emulator.ClearRequests();
                    var watch = Stopwatch.StartNew();
                    await UploadAsync(emulator, manifest, v.Concurrency, v.Discovery);
                    times[v.Name].Add(watch.Elapsed.TotalSeconds);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rep {rep} {v.Name}: {watch.Elapsed.TotalSeconds:F2} s, {emulator.Requests.Count} requests"));
                }
            }

            var sequential = E2EHarness.MedianOf(times["sequential"]);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} segments of {kib} KiB + manifest, {latency.TotalMilliseconds:F0} ms added to every request, {reps} repetitions (median, min-max)"));
            Console.WriteLine("| variant | seconds | vs sequential | floor 1/c |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var v in variants)
            {
                var t = times[v.Name];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {v.Name} | {E2EHarness.MedianOf(t):F2} ({t.Min():F2}-{t.Max():F2}) | {E2EHarness.MedianOf(t) / sequential:F3} | {1.0 / v.Concurrency:F3} |"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(package, recursive: true);
        }
    }

    private static async Task UploadAsync(VodEmulator emulator, string manifest, int concurrency, ManifestDiscovery discovery)
    {
        using var client = new VodUploadClient(new VodCredential(emulator.Credential.SecretId, emulator.Credential.SecretKey), new VodUploadClientOptions
        {
            VodEndpoint = emulator.VodEndpoint,
            CosEndpointTemplate = emulator.CosEndpoint + "{bucket}",
            ManifestDiscovery = discovery,
        });
        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest, ConcurrentUploadNumber = concurrency });
    }

    private static string WritePackage(string directory, int count, int bytes)
    {
        var content = new byte[bytes];
        new Random(3).NextBytes(content);
        var playlist = new System.Text.StringBuilder("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
        for (var i = 0; i < count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"seg/{i:D5}.ts");
            Directory.CreateDirectory(Path.Combine(directory, "seg"));
            File.WriteAllBytes(Path.Combine(directory, name), content);
            playlist.Append("#EXTINF:2.0,\n").Append(name).Append('\n');
        }

        playlist.Append("#EXT-X-ENDLIST\n");
        var manifest = Path.Combine(directory, "index.m3u8");
        File.WriteAllText(manifest, playlist.ToString());
        return manifest;
    }
}
