using System.Text.Json;
using VodRaw.Cli;
using VodRaw.Emulator;
using VodRaw.Emulator.Origin;

namespace VodRaw.Tests.Batch;

/// <summary>A batch whose list file names URLs: a dry run probes them for their sizes, a run commits each once.</summary>
public sealed class BatchUrlTests : IAsyncLifetime
{
    private VodEmulator _emulator = null!;
    private EmulatorOrigin _origin = null!;
    private readonly string _root = Directory.CreateTempSubdirectory("vodraw-batch-url-").FullName;

    private string Checkpoints => Path.Combine(_root, "state");

    private string ResultsPath => Path.Combine(_root, "results.jsonl");

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync();
        _origin = await EmulatorOrigin.StartAsync();
        _origin.Put("lib/a.mp4", new byte[3_000_000]);
        _origin.Put("lib/b.mp4", new byte[1234]);
        _origin.Put("lib/b.jpg", new byte[55]);
    }

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        await _emulator.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private string List()
    {
        var list = Path.Combine(_root, "media.jsonl");
        File.WriteAllLines(list,
        [
            JsonSerializer.Serialize(new Dictionary<string, string> { ["MediaUrl"] = _origin.UrlOf("lib/a.mp4") + "?sig=SECRETSIG" }),
            JsonSerializer.Serialize(new Dictionary<string, string> { ["MediaUrl"] = _origin.UrlOf("lib/b.mp4").ToString(), ["CoverUrl"] = _origin.UrlOf("lib/b.jpg").ToString() }),
        ]);
        return list;
    }

    [Fact]
    public async Task ADryRunProbesEachUrlForItsSizeAndSendsNothingToVod()
    {
        var (code, output, error) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [], "--from-list", List(), "--dry-run", "--json"));

        Assert.True(code == ExitCodes.Ok, error);
        Assert.Empty(_emulator.Requests);
        var dry = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("dryRun");
        Assert.Equal(2, dry.GetProperty("count").GetInt32());
        Assert.Equal(3_000_000 + 1234 + 55, dry.GetProperty("totalBytes").GetInt64());
        Assert.All(_origin.Requests, r => Assert.Equal("bytes=0-0", r.Range)); // probes only
        Assert.DoesNotContain("SECRETSIG", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunCommitsEachUrlOnceAndARerunSkipsThem()
    {
        var list = List();
        var (code, _, error) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [], "--from-list", list, "--results", ResultsPath));
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(2, _emulator.CommittedSessions);

        var (again, summary, againError) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [], "--from-list", list, "--results", ResultsPath, "--json"));

        Assert.True(again == ExitCodes.Ok, againError);
        Assert.Equal(2, _emulator.CommittedSessions); // nothing committed twice
        Assert.Equal(2, JsonDocument.Parse(summary.Trim()).RootElement.GetProperty("batch").GetProperty("alreadyCommitted").GetInt32());
        var lines = BatchCli.Lines(ResultsPath);
        Assert.Contains(lines, l => l.GetProperty("key").GetString() == _origin.UrlOf("lib/a.mp4").AbsoluteUri); // a signature is not part of which object it is
        Assert.DoesNotContain("SECRETSIG", File.ReadAllText(ResultsPath) + error + againError, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Checkpoints, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("SECRETSIG", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AUrlWhoseOriginRefusesFailsAloneAndTheOthersAreUploaded()
    {
        var list = Path.Combine(_root, "missing.jsonl");
        File.WriteAllLines(list, [JsonSerializer.Serialize(new Dictionary<string, string> { ["MediaUrl"] = _origin.UrlOf("lib/a.mp4").ToString() }),
            JsonSerializer.Serialize(new Dictionary<string, string> { ["MediaUrl"] = _origin.UrlOf("lib/gone.mp4").ToString() })]);

        var (dry, dryOutput, _) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [], "--from-list", list, "--dry-run"));
        Assert.Equal(ExitCodes.BatchIncomplete, dry);
        Assert.Contains("1 URLs cannot be reached", dryOutput, StringComparison.Ordinal);
        Assert.Empty(_emulator.Requests);

        var (code, _, error) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [], "--from-list", list, "--results", ResultsPath));

        Assert.Equal(ExitCodes.BatchIncomplete, code);
        Assert.Equal(1, _emulator.CommittedSessions);
        var failed = BatchCli.Lines(ResultsPath).Single(l => l.GetProperty("status").GetString() == "failed");
        Assert.Equal(ExitCodes.OriginFailed, failed.GetProperty("error").GetProperty("exitCode").GetInt32());
        Assert.Contains("HTTP 404", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlsOnTheCommandLineMakeABatchToo()
    {
        var (code, output, error) = await BatchCli.RunAsync(_emulator,
            BatchCli.Upload(_emulator, Checkpoints, [_origin.UrlOf("lib/a.mp4").ToString(), _origin.UrlOf("lib/b.mp4") + "?id=7&X-Amz-Signature=SECRETSIG"], "--dry-run", "--json"));

        Assert.True(code == ExitCodes.Ok, error);
        var dry = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("dryRun");
        Assert.Equal(3_000_000 + 1234, dry.GetProperty("totalBytes").GetInt64());
        Assert.DoesNotContain("SECRETSIG", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("id=7", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALineWithBothAFileAndAUrlIsRefusedBeforeAnythingIsSent()
    {
        var list = Path.Combine(_root, "bad.jsonl");
        File.WriteAllLines(list, ["""{"MediaFilePath": "a.mp4", "MediaUrl": "https://o.example/a.mp4"}""", """{"MediaUrl": "ftp://o.example/a.mp4"}"""]);

        var (code, _, error) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [], "--from-list", list));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("line 1", error, StringComparison.Ordinal);
        Assert.Contains("not both", error, StringComparison.Ordinal);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
        Assert.Contains("absolute http or https URL", error, StringComparison.Ordinal);
        Assert.Empty(_emulator.Requests);
    }
}
