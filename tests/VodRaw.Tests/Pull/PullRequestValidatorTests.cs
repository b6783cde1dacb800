using System.Text.Json;
using VodRaw.Api;

namespace VodRaw.Tests.Pull;

/// <summary>What PullUpload's documentation states, checked before anything is sent (spec/pull.md, "Local checks").</summary>
public sealed class PullRequestValidatorTests
{
    private static VodPullRequest Valid() => new() { MediaUrl = "https://origin.example/media/a.mp4" };

    public static TheoryData<string, Action<VodPullRequest>, string> Refusals => new()
    {
        { "no MediaUrl", r => r.MediaUrl = null, "MediaUrl is required" },
        { "blank MediaUrl", r => r.MediaUrl = "  ", "MediaUrl is required" },
        { "relative MediaUrl", r => r.MediaUrl = "/media/a.mp4", "MediaUrl must be an absolute http or https URL" },
        { "ftp MediaUrl", r => r.MediaUrl = "ftp://origin.example/a.mp4", "MediaUrl must be an absolute http or https URL" },
        { "file MediaUrl", r => r.MediaUrl = "file:///data/a.mp4", "MediaUrl must be an absolute http or https URL" },
        { "DASH by extension", r => r.MediaUrl = "https://origin.example/p/manifest.MPD?sig=1", "does not pull DASH" },
        { "DASH by type", r => r.MediaType = "mpd", "does not pull DASH" },
        { "ftp CoverUrl", r => r.CoverUrl = "ftp://origin.example/c.png", "CoverUrl must be an absolute http or https URL" },
        { "ExpireTime without zone", r => r.ExpireTime = "2030-01-01T00:00:00", "ExpireTime must be ISO 8601 with a zone" },
        { "ExpireTime as a date", r => r.ExpireTime = "2030-01-01", "ExpireTime must be ISO 8601 with a zone" },
        { "SourceContext of 251", r => r.SourceContext = new string('s', 251), "SourceContext is 251 characters; at most 250" },
        { "SessionContext of 1001", r => r.SessionContext = new string('s', 1001), "SessionContext is 1001 characters; at most 1000" },
        { "SessionId of 51", r => r.SessionId = new string('i', 51), "SessionId is 51 characters; at most 50" },
        { "blank SessionId", r => r.SessionId = "   ", "SessionId is blank" },
        { "TasksPriority 11", r => r.TasksPriority = 11, "between -10 and 10" },
        { "TasksPriority -11", r => r.TasksPriority = -11, "between -10 and 10" },
        { "relative MediaStoragePath", r => r.MediaStoragePath = "media/a.mp4", "MediaStoragePath must start with /" },
        { "SubAppId 0", r => r.SubAppId = 0, "SubAppId must be positive" },
        { "ClassId -1", r => r.ClassId = -1, "ClassId must not be negative" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void RefusesWhatTheDocumentationRulesOut(string rule, Action<VodPullRequest> spoil, string message)
    {
        var request = Valid();
        spoil(request);
        var e = Assert.ThrowsAny<ArgumentException>(() => PullRequestValidator.Validate("ap-guangzhou", request));
        Assert.True(e.Message.Contains(message, StringComparison.Ordinal), $"{rule}: {e.Message}");
    }

    [Fact]
    public void AcceptsEveryLimitExactly()
    {
        var body = PullRequestValidator.Validate("ap-guangzhou", new VodPullRequest
        {
            MediaUrl = "http://origin.example/hls/master.m3u8",
            CoverUrl = "https://origin.example/c.png",
            ExpireTime = "2030-01-01T08:00:00+08:00",
            SourceContext = new string('s', 250),
            SessionContext = new string('s', 1000),
            SessionId = new string('i', 50),
            TasksPriority = -10,
            MediaStoragePath = "/a/b.m3u8",
            SubAppId = 1,
            ClassId = 0,
        });
        Assert.Equal(new string('i', 50), body.SessionId);
        Assert.Equal(-10, body.TasksPriority);
    }

    [Fact]
    public void RequiresARegion() =>
        Assert.Throws<ArgumentException>("region", () => PullRequestValidator.Validate(" ", Valid()));

    [Fact]
    public void GeneratesAFreshSessionIdForEachCallWithoutOne()
    {
        var a = PullRequestValidator.Validate("ap-guangzhou", Valid()).SessionId;
        var b = PullRequestValidator.Validate("ap-guangzhou", Valid()).SessionId;
        var c = PullRequestValidator.Validate("ap-guangzhou", new VodPullRequest { MediaUrl = "https://o.example/a.mp4", SessionId = string.Empty }).SessionId;
        Assert.Matches("^vodraw-[0-9a-f]{32}$", a);
        Assert.Matches("^vodraw-[0-9a-f]{32}$", c);
        Assert.NotEqual(a, b);
        Assert.True(a.Length <= PullRequestValidator.MaxSessionId);
    }

    [Fact]
    public void KeepsTheCallersSessionIdAndSendsTheFieldsInTheApisOrder()
    {
        var body = PullRequestValidator.Validate("ap-guangzhou", new VodPullRequest
        {
            MediaUrl = "https://o.example/a.mp4",
            MediaType = "mp4",
            SubAppId = 101,
            MediaName = "n",
            CoverUrl = "https://o.example/c.jpg",
            Procedure = "P",
            ExpireTime = "2030-01-01T00:00:00Z",
            StorageRegion = "ap-chongqing",
            ClassId = 3,
            TasksPriority = 5,
            SessionContext = "sc",
            SessionId = "mine",
            ExtInfo = "x",
            SourceContext = "src",
            MediaStoragePath = "/p/a.mp4",
        });
        Assert.Equal(
            "{\"MediaUrl\":\"https://o.example/a.mp4\",\"MediaType\":\"mp4\",\"SubAppId\":101,\"MediaName\":\"n\",\"CoverUrl\":\"https://o.example/c.jpg\",\"Procedure\":\"P\","
            + "\"ExpireTime\":\"2030-01-01T00:00:00Z\",\"StorageRegion\":\"ap-chongqing\",\"ClassId\":3,\"TasksPriority\":5,\"SessionContext\":\"sc\",\"SessionId\":\"mine\","
            + "\"ExtInfo\":\"x\",\"SourceContext\":\"src\",\"MediaStoragePath\":\"/p/a.mp4\"}",
            JsonSerializer.Serialize(body, VodJsonContext.Default.PullUploadBody));
    }

    [Fact]
    public void LeavesAnEmptyMediaTypeOutForTheServiceToTakeFromTheUrl()
    {
        var body = PullRequestValidator.Validate("ap-guangzhou", new VodPullRequest { MediaUrl = "https://o.example/a", MediaType = string.Empty });
        Assert.Null(body.MediaType);
    }

    [Fact]
    public void RefusesBadWaitOptionsBeforeAnything()
    {
        Assert.Throws<ArgumentOutOfRangeException>("Timeout", () => new PullWaitOptions { Timeout = TimeSpan.Zero }.Validated());
        Assert.Throws<ArgumentOutOfRangeException>("InitialPollInterval", () => new PullWaitOptions { InitialPollInterval = TimeSpan.Zero }.Validated());
        Assert.Throws<ArgumentOutOfRangeException>("MaxPollInterval", () => new PullWaitOptions { InitialPollInterval = TimeSpan.FromSeconds(5), MaxPollInterval = TimeSpan.FromSeconds(4) }.Validated());
        Assert.Equal(Timeout.InfiniteTimeSpan, new PullWaitOptions { Timeout = Timeout.InfiniteTimeSpan }.Validated().Timeout);
    }
}
