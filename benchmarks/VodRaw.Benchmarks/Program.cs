using BenchmarkDotNet.Running;
using VodRaw.Benchmarks.EndToEnd;

// `sink` and `e2e`/`scale` are the end-to-end harness (see benchmarks/README.md); anything else goes to BenchmarkDotNet.
switch (args.FirstOrDefault())
{
    case "sink":
        await RawHttpSink.RunAsync(args.Contains("--crc"), CancellationToken.None);
        return 0;
    case "e2e":
    case "scale":
        return await E2EHarness.RunAsync(args);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
}
