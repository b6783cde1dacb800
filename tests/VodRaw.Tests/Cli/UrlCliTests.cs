using System.Text.Json;
using VodRaw.Cli;
using VodRaw.Emulator;
using VodRaw.Emulator.Origin;

namespace VodRaw.Tests.Cli;

/// <summary>`vodraw upload URL`: the documented exit codes, one JSON object, headers from a file, nothing secret printed.</summary>
public sealed class UrlCliTests
{
    private static string[] Endpoints(VodEmulator emulator) =>
        ["--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}", "--json", "--quiet", "--no-resume"];

    [Fact]
    public async Task AUrlAndACoverUrlUploadWithHeadersFromAFile()
    {
        await using var emulator = await VodEmulator.StartAsync();
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { RequiredAuthorization = "Bearer SECRETTOKEN" });
        origin.Put("v/clip.mp4", new byte[300_000]);
        origin.Put("v/clip.jpg", new byte[500]);
        var headers = Path.Combine(Path.GetTempPath(), "vodraw-headers-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(headers, "# for the private origin\nAuthorization: Bearer SECRETTOKEN\n");
        try
        {
            var (code, output, error) = await CliTests.RunAsync(
                ["upload", origin.UrlOf("v/clip.mp4") + "?sig=SECRETSIG", "--cover", origin.UrlOf("v/clip.jpg").ToString(), "--source-header-file", headers, .. Endpoints(emulator)],
                CliTests.EnvFor(emulator));

            Assert.Equal(ExitCodes.Ok, code);
            var json = JsonDocument.Parse(output.Trim()).RootElement;
            Assert.False(string.IsNullOrEmpty(json.GetProperty("fileId").GetString()));
            Assert.False(string.IsNullOrEmpty(json.GetProperty("coverUrl").GetString()));
            Assert.DoesNotContain("SECRET", output + error, StringComparison.Ordinal);
            Assert.All(origin.Requests, r => Assert.True(r.HasHeader("Authorization")));
        }
        finally
        {
            File.Delete(headers);
        }
    }

    [Fact]
    public async Task AnOriginThatRefusesExitsTenWithOneJsonObject()
    {
        await using var emulator = await VodEmulator.StartAsync();
        await using var origin = await EmulatorOrigin.StartAsync();

        var (code, output, error) = await CliTests.RunAsync(["upload", origin.UrlOf("gone.mp4").ToString(), .. Endpoints(emulator)], CliTests.EnvFor(emulator));

        Assert.Equal(ExitCodes.OriginFailed, code);
        var line = Assert.Single(output.Trim().Split('\n'));
        var json = JsonDocument.Parse(line).RootElement.GetProperty("error");
        Assert.Equal("OriginFailed", json.GetProperty("code").GetString());
        Assert.Equal(10, json.GetProperty("exitCode").GetInt32());
        Assert.Equal(404, json.GetProperty("status").GetInt32());
        Assert.Equal(origin.UrlOf("gone.mp4").AbsoluteUri, json.GetProperty("url").GetString());
        Assert.Equal("bytes=0-0", json.GetProperty("range").GetString());
        Assert.Contains("HTTP 404", error, StringComparison.Ordinal);
        Assert.Empty(emulator.Requests);
    }

    [Theory]
    [InlineData("--source-header", "NoColon", "expected 'Name: value'")]
    [InlineData("--source-header", "Range: bytes=0-1", "may not set Range")]
    public async Task BadHeadersExitTwoBeforeAnyRequest(string option, string value, string expected)
    {
        await using var emulator = await VodEmulator.StartAsync();
        await using var origin = await EmulatorOrigin.StartAsync();
        origin.Put("a.mp4", new byte[10]);

        var (code, output, _) = await CliTests.RunAsync(["upload", origin.UrlOf("a.mp4").ToString(), option, value, .. Endpoints(emulator)], CliTests.EnvFor(emulator));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, JsonDocument.Parse(output.Trim()).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(origin.Requests);
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task HeadersWithoutAUrlAreAUsageError()
    {
        var (code, output, _) = await CliTests.RunAsync(["upload", "/nonexistent/a.mp4", "--source-header", "Authorization: x", "--emulator", "--json"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("are for URL sources", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLogFileKeepsNoQueryAndNoHeaderValue()
    {
        var kept = string.Join(' ', VodRawCli.RedactedArguments(
            ["upload", "https://o.example/a.mp4?X-Amz-Signature=SECRETSIG", "--source-header", "Authorization: Bearer SECRETTOKEN", "--source-header=X-Key: SECRETKEY", "--cover", "c.jpg"]));
        Assert.Equal("upload https://o.example/a.mp4?… --source-header Authorization: … --source-header=… --cover c.jpg", kept);
    }

    [Fact]
    public async Task AnUnreadableUrlIsNamedWithoutItsQueryAndACoverIsBlamedAsTheCover()
    {
        var (code, output, _) = await CliTests.RunAsync(["upload", "http://127.0.0.1:99999/a.mp4?X-Amz-Signature=SECRETSIG", "--emulator", "--json"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.DoesNotContain("SECRETSIG", output, StringComparison.Ordinal);
        Assert.Contains("media URL", output, StringComparison.Ordinal);

        var (coverCode, coverOutput, _) = await CliTests.RunAsync(["upload", "http://127.0.0.1:8080/a.mp4", "--cover", "http://127.0.0.1:99999/c.jpg", "--emulator", "--json"]);
        Assert.Equal(ExitCodes.Usage, coverCode);
        Assert.Contains("--cover", coverOutput, StringComparison.Ordinal);
    }
}
