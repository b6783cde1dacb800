using System.Text.Json;
using VodRaw.Cli;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Cli;

/// <summary><c>vodraw pull</c> against an emulator that pulls from a loopback origin.</summary>
public sealed class PullCliTests : IAsyncLifetime
{
    private VodEmulator _emulator = null!;
    private LoopbackOrigin _origin = null!;

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync();
        _origin = await LoopbackOrigin.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task PullWithWaitAndJsonPrintsOneObjectWithTheFileId()
    {
        var content = new byte[70_000];
        new Random(3).NextBytes(content);
        var url = _origin.Serve("/w/Wildlife.mp4", content);

        var (code, output, error) = await PullAsync([url.ToString(), "--wait", "--json", "--media-name", "Wildlife"]);

        Assert.Equal(ExitCodes.Ok, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var json = JsonDocument.Parse(line).RootElement;
        var media = Assert.Single(_emulator.CommittedMedia);
        Assert.Equal(media.FileId, json.GetProperty("fileId").GetString());
        Assert.Equal(media.MediaUrl, json.GetProperty("mediaUrl").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("coverUrl").ValueKind);
        var task = Assert.Single(_emulator.PullTasks);
        Assert.Equal(task.TaskId, json.GetProperty("taskId").GetString());
        Assert.Equal(task.SessionId, json.GetProperty("sessionId").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("requestId").GetString()));
        Assert.True(json.GetProperty("seconds").GetDouble() >= 0);
        Assert.Contains($"pull: task {task.TaskId} FINISH 100 %", error, StringComparison.Ordinal);
        Assert.Equal(content, _emulator.Objects.Single().ReadAllBytes());
    }

    [Fact]
    public async Task PullsIntoTheEmbeddedEmulatorFromALoopbackOrigin()
    {
        var content = new byte[] { 4, 5, 6, 7 };
        var url = _origin.Serve("/embedded.mp4", content);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await VodRawCli.RunAsync(["pull", url.ToString(), "--emulator", "--wait", "--json"], new CliEnvironment(output, error, _ => null, Interactive: false));

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Matches(@"^\d+$", JsonDocument.Parse(output.ToString()).RootElement.GetProperty("fileId").GetString());
        Assert.Contains("emulator: VOD http://127.0.0.1:", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, _origin.Requests("/embedded.mp4"));
        Assert.Empty(_emulator.Requests); // the embedded emulator, not this test's
    }

    [Fact]
    public async Task PullWithoutWaitPrintsTheTaskAndHowToWaitForIt()
    {
        var url = _origin.Serve("/a.mp4", [1, 2, 3]);
        var (code, output, error) = await PullAsync([url.ToString(), "--session-id", "cli-1"]);

        Assert.Equal(ExitCodes.Ok, code);
        var task = Assert.Single(_emulator.PullTasks);
        Assert.Contains($"TaskId:    {task.TaskId}", output, StringComparison.Ordinal);
        Assert.Contains("SessionId: cli-1", output, StringComparison.Ordinal);
        Assert.Contains($"`vodraw pull --task-id {task.TaskId} --wait` waits for it", error, StringComparison.Ordinal);

        await WaitUntilAsync(() => _emulator.PullTasks.Single().Status == "FINISH");
        var (again, json, _) = await PullAsync(["--task-id", task.TaskId, "--wait", "--json"]);
        Assert.Equal(ExitCodes.Ok, again);
        Assert.Equal(_emulator.CommittedMedia.Single().FileId, JsonDocument.Parse(json).RootElement.GetProperty("fileId").GetString());
    }

    [Fact]
    public async Task AFailedPullExitsThreeWithTheTasksErrCode()
    {
        var (code, output, error) = await PullAsync([new Uri(_origin.BaseUri, "/gone.mp4").ToString(), "--wait", "--json"]);

        Assert.Equal(ExitCodes.ServiceError, code);
        var e = JsonDocument.Parse(output).RootElement.GetProperty("error");
        Assert.Equal(("PullFailed", 60000, "FINISH"), (e.GetProperty("code").GetString(), e.GetProperty("taskErrCode").GetInt64(), e.GetProperty("taskStatus").GetString()));
        Assert.Equal(_emulator.PullTasks.Single().TaskId, e.GetProperty("taskId").GetString());
        Assert.Contains("HTTP 404", e.GetProperty("taskMessage").GetString(), StringComparison.Ordinal);
        Assert.Contains("error: The pull task", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATimeoutWhileTheTaskRunsExitsElevenNamingTheTask()
    {
        var release = new TaskCompletionSource();
        var url = _origin.Serve("/slow.mp4", [1], release.Task);
        try
        {
            var (code, output, _) = await PullAsync([url.ToString(), "--wait", "--timeout", "200ms", "--json"]);

            Assert.Equal(ExitCodes.StillRunning, code);
            var e = JsonDocument.Parse(output).RootElement.GetProperty("error");
            var task = _emulator.PullTasks.Single();
            Assert.Equal(("PullStillRunning", "TaskRunning", task.TaskId, 11), (e.GetProperty("code").GetString(), e.GetProperty("outcome").GetString(), e.GetProperty("taskId").GetString(), e.GetProperty("exitCode").GetInt32()));
            Assert.Contains($"`vodraw pull --task-id {task.TaskId} --wait` waits for it again.", e.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.True(e.GetProperty("transient").GetBoolean());
        }
        finally
        {
            release.SetResult();
        }
    }

    public static TheoryData<string[], string> BadInput => new()
    {
        { ["ftp://127.0.0.1/a.mp4"], "MediaUrl must be an absolute http or https URL" },
        { ["http://127.0.0.1/a.mpd"], "does not pull DASH" },
        { ["http://127.0.0.1/a.mp4", "--session-id", new string('x', 51)], "SessionId is 51 characters" },
        { ["http://127.0.0.1/a.mp4", "--expire-time", "tomorrow"], "ExpireTime must be ISO 8601" },
        { ["http://127.0.0.1/a.mp4", "--timeout", "10m"], "--timeout is how long --wait waits" },
        { ["http://127.0.0.1/a.mp4", "--wait", "--timeout", "soon"], "--timeout soon: give a positive duration" },
        { ["http://127.0.0.1/a.mp4", "--wait", "--timeout", "0s"], "--timeout 0s: give a positive duration" },
        { [], "give the URL for VOD to pull, or --task-id" },
        { ["http://127.0.0.1/a.mp4", "--task-id", "t"], "not both" },
        { ["--task-id", "t", "--media-name", "n"], "--task-id waits for a pull VOD already accepted" },
        { ["http://127.0.0.1/a.mp4", "--class-id", "seven"], "Cannot parse argument 'seven' for option '--class-id' as a whole number." },
        { ["http://127.0.0.1/a.mp4", "--sub-app-id", "1.5"], "for option '--sub-app-id' as a whole number." },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task BadInputExitsTwoWithOneJsonObjectBeforeAnyRequest(string[] args, string message)
    {
        var (code, output, error) = await PullAsync([.. args, "--json"]);

        Assert.Equal(ExitCodes.Usage, code);
        var e = JsonDocument.Parse(Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement.GetProperty("error");
        Assert.Equal(2, e.GetProperty("exitCode").GetInt32());
        Assert.Contains(message, e.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Empty(_emulator.Requests);
    }

    [Fact]
    public async Task BadInputIsReportedBeforeMissingCredentials()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await VodRawCli.RunAsync(["pull", "http://127.0.0.1/a.mpd", "--emulator"], new CliEnvironment(output, error, _ => null, Interactive: false));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("does not pull DASH", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("emulator:", error.ToString(), StringComparison.Ordinal); // refused before the embedded emulator started
    }

    [Fact]
    public async Task WithoutCredentialsItNamesTheVariablesBeforeAnyRequest()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await VodRawCli.RunAsync(["pull", "http://127.0.0.1/a.mp4", "--region", "ap-guangzhou", "--vod-endpoint", _emulator.VodEndpoint.ToString()],
            new CliEnvironment(output, error, _ => null, Interactive: false));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("TENCENTCLOUD_SECRET_ID", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(_emulator.Requests);
    }

    [Fact]
    public async Task HelpShowsExamplesPullOrStreamAndExitCodes()
    {
        var (code, output, _) = await RunAsync(["pull", "--help"]);
        Assert.Equal(0, code);
        // Help wraps its paragraphs: compare with the whitespace made single spaces.
        var flat = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        foreach (var expected in new[] { "vodraw pull", "Examples:", "Pull or stream?", "--session-id", "--timeout", "--task-id", "Exit codes:", "11 pull --wait: --timeout passed", "does not cancel the task" })
        {
            Assert.Contains(expected, flat, StringComparison.Ordinal);
        }

        var (_, root, _) = await RunAsync(["--help"]);
        Assert.Contains("pull", root, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pu", "pull")]
    [InlineData("pull --sess", "--session-id")]
    [InlineData("pull --sess", "--session-context")]
    [InlineData("pull https://x/a.mp4 --ti", "--timeout")]
    public async Task ShellCompletionOffersTheCommandAndItsOptions(string line, string expected)
    {
        // completion/vodraw.bash asks vodraw itself: `vodraw "[suggest:N]" "<line>"`.
        var (code, output, _) = await RunAsync([$"[suggest:{line.Length}]", line]);
        Assert.Equal(0, code);
        Assert.Contains(expected, output.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void DurationsReadAsDocumented()
    {
        foreach (var (text, seconds) in new[] { ("90", 90.0), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("250ms", 0.25), ("2min", 120) })
        {
            Assert.True(DurationParser.TryParse(text, out var d), text);
            Assert.Equal(seconds, d.TotalSeconds);
        }

        foreach (var bad in new[] { string.Empty, "m", "10x", "1.5h", "-5s", "99999999999999999h" })
        {
            Assert.False(DurationParser.TryParse(bad, out _), bad);
        }
    }

    private Task<(int Code, string Output, string Error)> PullAsync(string[] args) =>
        RunAsync(["pull", .. args, "--region", "ap-guangzhou", "--vod-endpoint", _emulator.VodEndpoint.ToString()]);

    private async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment(output, error, name => name switch
        {
            "TENCENTCLOUD_SECRET_ID" => _emulator.Credential.SecretId,
            "TENCENTCLOUD_SECRET_KEY" => _emulator.Credential.SecretKey,
            _ => null,
        }, Interactive: false);
        var code = await VodRawCli.RunAsync(args, environment);
        var text = output.ToString() + error;
        foreach (var wording in new[] { "(Parameter '", "Exception:", "   at ", "System." })
        {
            Assert.False(text.Contains(wording, StringComparison.Ordinal), $"CLI output contains .NET wording '{wording}':\n{text}");
        }

        Assert.DoesNotContain(_emulator.Credential.SecretKey, text, StringComparison.Ordinal);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(5, limit.Token);
        }
    }
}
