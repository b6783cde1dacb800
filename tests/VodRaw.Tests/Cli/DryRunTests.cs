using System.Text.Json;
using VodRaw.Cli;

namespace VodRaw.Tests.Cli;

/// <summary>A dry run sends nothing to VOD or COS, so it needs no credential and no region (issue 31, point 7).</summary>
public sealed class DryRunTests
{
    private static readonly string Wildlife = Path.Combine(VodRaw.Tests.Support.RepositoryRoot.Path, "samples", "Wildlife.mp4");

    // Nothing listens on port 1: a request to VOD or COS would fail the run (network error after retries).
    private static readonly string[] Unreachable = ["--vod-endpoint", "http://127.0.0.1:1/", "--cos-endpoint", "http://127.0.0.1:1/"];

    [Fact]
    public async Task ListsTheBatchWithoutCredentialsOrRegionAndSendsNothing()
    {
        var (code, output, error) = await CliTests.RunAsync(["upload", Wildlife, "--dry-run", "--json", .. Unreachable], env: []);
        Assert.Equal(ExitCodes.Ok, code);
        var dryRun = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("dryRun");
        Assert.Equal(1, dryRun.GetProperty("count").GetInt32());
        Assert.Equal(new FileInfo(Wildlife).Length, dryRun.GetProperty("totalBytes").GetInt64());
        Assert.DoesNotContain("credential", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WithoutJsonItPrintsTheListAndStartsNoEmulator()
    {
        var (code, output, error) = await CliTests.RunAsync(["upload", Wildlife, Wildlife.Replace("Wildlife.mp4", "hls", StringComparison.Ordinal), "-r", "--dry-run", "--emulator"], env: []);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Wildlife.mp4", output, StringComparison.Ordinal);
        Assert.DoesNotContain("emulator:", error, StringComparison.Ordinal);
    }
}
