using System.Text.Json;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

/// <summary>The emulator's PullUpload, DescribeTaskDetail and DescribeTasks, driven by hand-signed requests.</summary>
public sealed class PullApiTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private VodEmulator _emulator = null!;
    private RawRequests _raw = null!;
    private LoopbackOrigin _origin = null!;

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { TimeProvider = _time, SubAppIds = [1500000001] });
        _raw = new RawRequests(_emulator, _time);
        _origin = await LoopbackOrigin.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _emulator.DisposeAsync();
        await _origin.DisposeAsync();
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "{}", "MissingParameter" },
        { "{\"MediaUrl\":\"\"}", "MissingParameter" },
        { "{\"MediaUrl\":42}", "InvalidParameter" },
        { "{\"MediaUrl\":\"ftp://127.0.0.1/a.mp4\"}", "InvalidParameterValue.MediaUrl" },
        { "{\"MediaUrl\":\"http://127.0.0.1/manifest.mpd\"}", "InvalidParameterValue.MediaType" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a\"}", "InvalidParameterValue.MediaType" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"MediaType\":\"docx\"}", "InvalidParameterValue.MediaType" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"CoverUrl\":\"http://127.0.0.1/c.svg\"}", "InvalidParameterValue.CoverUrl" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"ExpireTime\":\"2030-01-01\"}", "InvalidParameter.ExpireTime" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"SessionId\":\"" + "123456789012345678901234567890123456789012345678901" + "\"}", "InvalidParameterValue.SessionIdTooLong" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"SourceContext\":\"" + new string('s', 251) + "\"}", "InvalidParameterValue.SourceContext" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"MediaStoragePath\":\"a.mp4\"}", "InvalidParameterValue.MediaStoragePath" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"SubAppId\":7}", "InvalidParameterValue.SubAppId" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"TasksPriority\":11}", "InvalidParameter" },
        { "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"CoverType\":\"png\"}", "UnknownParameter" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ChecksEachPullUploadFieldAsTheServiceDocumentsIt(string json, string code)
    {
        var (_, body) = await _raw.VodAsync("PullUpload", json);
        Assert.Equal(code, ErrorCode(body));
        Assert.Empty(_emulator.PullTasks);
    }

    [Fact]
    public async Task RefusesASessionContextOverAThousandCharacters()
    {
        var (_, body) = await _raw.VodAsync("PullUpload", "{\"MediaUrl\":\"http://127.0.0.1/a.mp4\",\"SessionContext\":\"" + new string('s', 1001) + "\"}");
        Assert.Equal("InvalidParameterValue.SessionContextTooLong", ErrorCode(body));
    }

    [Theory]
    [InlineData("http://example.com/a.mp4")]
    [InlineData("http://10.0.0.1/a.mp4")]
    [InlineData("http://[2001:db8::1]/a.mp4")]
    [InlineData("http://localhost.example.com/a.mp4")]
    public async Task RefusesAMediaUrlOffLoopbackWithoutFetchingIt(string url)
    {
        var (_, body) = await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"{url}\"}}");
        Assert.Equal("InvalidParameterValue.MediaUrl", ErrorCode(body));
        Assert.Contains("only pulls from loopback", Message(body), StringComparison.Ordinal);
        Assert.Empty(_emulator.PullTasks);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("localhost")]
    [InlineData("[::1]")]
    public async Task PullsFromAnyLoopbackName(string host)
    {
        var path = "/" + host.Trim('[', ']').Replace(':', '-') + ".mp4";
        var content = new byte[] { 1, 2, 3, 4 };
        _origin.Serve(path, content);
        var port = _origin.BaseUri.Port;
        var accepted = await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"http://{host}:{port}{path}\"}}");
        Assert.Null(ErrorCode(accepted.Body));
        var task = await FinishedAsync();
        if (host is "127.8.9.10" or "[::1]")
        {
            // The origin listens on 127.0.0.1 only: the connection is refused, and the task says so.
            Assert.Equal(60000, task.ErrCode);
            Assert.Contains("could not be reached", task.Message, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(0, task.ErrCode);
        Assert.Equal(content, _emulator.Objects.Single().ReadAllBytes());
    }

    [Fact]
    public async Task ARedirectOffLoopbackFailsTheTaskWithoutFollowingIt()
    {
        var url = _origin.Redirect("/moved.mp4", "http://example.com/real.mp4");
        await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"{url}\"}}");
        var task = await FinishedAsync();
        Assert.Equal(60000, task.ErrCode);
        Assert.Contains("example.com is not loopback", task.Message, StringComparison.Ordinal);
        Assert.Empty(_emulator.CommittedMedia);
    }

    [Fact]
    public async Task FollowsARedirectThatStaysOnLoopback()
    {
        _origin.Serve("/real.mp4", [9, 9, 9]);
        var url = _origin.Redirect("/moved.mp4", "/real.mp4");
        await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"{url}\"}}");
        Assert.Equal(0, (await FinishedAsync()).ErrCode);
        Assert.Equal(1, _origin.Requests("/real.mp4"));
    }

    [Fact]
    public async Task ASessionIdIsADuplicateForThreeDaysAndNoSecondTaskIsCreated()
    {
        var url = _origin.Serve("/d.mp4", [1]);
        var json = $"{{\"MediaUrl\":\"{url}\",\"SessionId\":\"same\"}}";
        Assert.Null(ErrorCode((await _raw.VodAsync("PullUpload", json)).Body));

        _time.Advance(TimeSpan.FromDays(3) - TimeSpan.FromSeconds(1));
        var (_, again) = await _raw.VodAsync("PullUpload", json, timestamp: _time.GetUtcNow().ToUnixTimeSeconds());
        Assert.Equal("InvalidParameterValue.SessionId", ErrorCode(again));
        Assert.Single(_emulator.PullTasks);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(ErrorCode((await _raw.VodAsync("PullUpload", json)).Body));
        Assert.Equal(2, _emulator.PullTasks.Count);
    }

    [Fact]
    public async Task RequestsWithoutASessionIdAreNeverDuplicates()
    {
        var url = _origin.Serve("/n.mp4", [1]);
        await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"{url}\"}}");
        await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"{url}\"}}");
        Assert.Equal(2, _emulator.PullTasks.Count);
    }

    [Fact]
    public async Task DescribeTaskDetailReportsTheFinishedTaskAndItsMedia()
    {
        var url = _origin.Serve("/v/clip.mp4", [5, 6, 7]);
        var (_, accepted) = await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"{url}\",\"SessionId\":\"s-1\",\"SessionContext\":\"ctx\",\"MediaStoragePath\":\"/library/clip.mp4\",\"SubAppId\":1500000001}}");
        var taskId = accepted.GetProperty("Response").GetProperty("TaskId").GetString()!;
        await FinishedAsync();

        var (_, detail) = await _raw.VodAsync("DescribeTaskDetail", $"{{\"TaskId\":\"{taskId}\",\"SubAppId\":1500000001}}");
        var r = detail.GetProperty("Response");
        Assert.Equal(("PullUpload", "FINISH"), (r.GetProperty("TaskType").GetString(), r.GetProperty("Status").GetString()));
        var task = r.GetProperty("PullUploadTask");
        Assert.Equal(0, task.GetProperty("ErrCode").GetInt64());
        Assert.Equal(100, task.GetProperty("Progress").GetInt32());
        Assert.Equal(("s-1", "ctx"), (task.GetProperty("SessionId").GetString(), task.GetProperty("SessionContext").GetString()));
        var media = Assert.Single(_emulator.CommittedMedia);
        Assert.Equal(media.FileId, task.GetProperty("FileId").GetString());
        Assert.Equal(media.MediaUrl, task.GetProperty("MediaBasicInfo").GetProperty("MediaUrl").GetString());
        var stored = _emulator.Objects.Single();
        Assert.Equal(("library/clip.mp4", _emulator.BucketFor(1500000001)), (stored.Key, stored.Bucket));
    }

    [Fact]
    public async Task DescribeTaskDetailRefusesATaskItDoesNotKnowOrOfAnotherApplication()
    {
        var url = _origin.Serve("/q.mp4", [1]);
        var (_, accepted) = await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"{url}\"}}");
        var taskId = accepted.GetProperty("Response").GetProperty("TaskId").GetString()!;

        Assert.Equal("InvalidParameterValue.TaskId", ErrorCode((await _raw.VodAsync("DescribeTaskDetail", "{\"TaskId\":\"nope\"}")).Body));
        Assert.Equal("InvalidParameterValue.TaskId", ErrorCode((await _raw.VodAsync("DescribeTaskDetail", $"{{\"TaskId\":\"{taskId}\",\"SubAppId\":1500000001}}")).Body));
        Assert.Equal("MissingParameter", ErrorCode((await _raw.VodAsync("DescribeTaskDetail", "{}")).Body));
        Assert.Null(ErrorCode((await _raw.VodAsync("DescribeTaskDetail", $"{{\"TaskId\":\"{taskId}\"}}")).Body));
    }

    [Fact]
    public async Task DescribeTasksListsNewestFirstSinceATimeAndPagesWithItsScrollToken()
    {
        var url = _origin.Serve("/p.mp4", [1]);
        await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"{url}\",\"SessionId\":\"old\"}}");
        _time.Advance(TimeSpan.FromMinutes(30));
        var since = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var id in new[] { "a", "b", "c" })
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _raw.VodAsync("PullUpload", $"{{\"MediaUrl\":\"{url}\",\"SessionId\":\"{id}\"}}");
        }

        var query = $"{{\"CreateTime\":{{\"After\":\"{since}\"}},\"Sort\":{{\"Field\":\"CreateTime\",\"Order\":\"Desc\"}},\"Limit\":2}}";
        var (_, first) = await _raw.VodAsync("DescribeTasks", query);
        var page1 = first.GetProperty("Response");
        Assert.Equal(["c", "b"], page1.GetProperty("TaskSet").EnumerateArray().Select(t => t.GetProperty("SessionId").GetString()!));
        Assert.All(page1.GetProperty("TaskSet").EnumerateArray(), t => Assert.Equal("PullUpload", t.GetProperty("TaskType").GetString()));
        var token = page1.GetProperty("ScrollToken").GetString();
        Assert.False(string.IsNullOrEmpty(token));

        var (_, second) = await _raw.VodAsync("DescribeTasks", query.TrimEnd('}') + $",\"ScrollToken\":\"{token}\"}}");
        var page2 = second.GetProperty("Response");
        Assert.Equal(["a"], page2.GetProperty("TaskSet").EnumerateArray().Select(t => t.GetProperty("SessionId").GetString()!));
        Assert.Equal(string.Empty, page2.GetProperty("ScrollToken").GetString());
        Assert.Equal("InvalidParameterValue.Limit", ErrorCode((await _raw.VodAsync("DescribeTasks", "{\"Limit\":101}")).Body));
    }

    private async Task<EmulatorPullTask> FinishedAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_emulator.PullTasks.LastOrDefault() is { Status: "FINISH" } task)
            {
                return task;
            }

            await Task.Delay(5, limit.Token);
        }
    }

    private static string? ErrorCode(JsonElement body) =>
        body.GetProperty("Response").TryGetProperty("Error", out var e) ? e.GetProperty("Code").GetString() : null;

    private static string Message(JsonElement body) => body.GetProperty("Response").GetProperty("Error").GetProperty("Message").GetString()!;
}
