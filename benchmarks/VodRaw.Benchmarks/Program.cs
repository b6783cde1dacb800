using BenchmarkDotNet.Running;
using VodRaw.Benchmarks.EndToEnd;

// `sink`, `e2e`/`scale`, `segments`, `batch` and `emulator-ingest` are the end-to-end harnesses (see benchmarks/README.md); anything else goes to BenchmarkDotNet.
switch (args.FirstOrDefault())
{
    case "sink":
        await RawHttpSink.RunAsync(args.Contains("--crc"), BenchArgs.Value(args, "--tls"), WanLink.Parse(args), CancellationToken.None);
        return 0;
    case "wan":
        return await E2EHarness.RunWanAsync(args);
    case "run-one":
        return await E2EHarness.RunOneAsync(args);
    case "segments":
        return await SegmentsBenchmark.RunAsync(args);
    case "emulator-ingest":
        return await EmulatorIngestBenchmark.RunAsync(args);
    case "batch":
        return await BatchBenchmark.RunAsync(args);
    case "e2e":
    case "scale":
        return await E2EHarness.RunAsync(args);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
}
