using System.Text.Json;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

/// <summary>
/// FileID + Path mode: a sub-application declared in <see cref="VodEmulatorOptions.PathModeSubAppIds"/> stores its
/// media at the MediaStoragePath its ApplyUpload names; anyone else naming one is refused, as is a second upload to a
/// path that holds committed media.
/// </summary>
public sealed class PathModeTests : IAsyncLifetime
{
    private const long PathMode = 1500000002;
    private const long IdMode = 1500000001;
    private const string Refused = "InvalidParameterValue.MediaStoragePath";
    private VodEmulator _emulator = null!;
    private RawRequests _raw = null!;

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { SubAppIds = [IdMode, PathMode], PathModeSubAppIds = [PathMode] });
        _raw = new RawRequests(_emulator);
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task StoresTheMediaExactlyAtTheRequestedPathAndTheCoverBesideIt()
    {
        var apply = await _raw.ApplyAsync($"{{\"MediaType\":\"mp4\",\"CoverType\":\"jpg\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/shows/s1/ep 01.mp4\"}}");
        Assert.Equal("/shows/s1/ep 01.mp4", apply.GetProperty("MediaStoragePath").GetString());
        Assert.Equal("/shows/s1/ep 01.mp4.cover.jpg", apply.GetProperty("CoverStoragePath").GetString());
        var bucket = apply.GetProperty("StorageBucket").GetString()!;
        Assert.Equal(_emulator.BucketFor(PathMode), bucket);

        var temp = RawRequests.TempCredentialOf(apply);
        Assert.Equal(200, (int)(await _raw.CosAsync(HttpMethod.Put, bucket, "shows/s1/ep 01.mp4", temp, "video"u8.ToArray())).StatusCode);
        Assert.Equal(200, (int)(await _raw.CosAsync(HttpMethod.Put, bucket, "shows/s1/ep 01.mp4.cover.jpg", temp, "image"u8.ToArray())).StatusCode);
        // The session's credential writes in the media's directory only.
        Assert.Equal(403, (int)(await _raw.CosAsync(HttpMethod.Put, bucket, "shows/s2/other.mp4", temp, "x"u8.ToArray())).StatusCode);

        var commit = await CommitAsync(apply);
        Assert.Null(ErrorCode(commit));
        Assert.EndsWith($"/{bucket}/shows/s1/ep%2001.mp4", commit.GetProperty("Response").GetProperty("MediaUrl").GetString(), StringComparison.Ordinal);
        Assert.EndsWith($"/{bucket}/shows/s1/ep%2001.mp4.cover.jpg", commit.GetProperty("Response").GetProperty("CoverUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal("video"u8.ToArray(), _emulator.GetObject(bucket, "shows/s1/ep 01.mp4")!.ReadAllBytes());
    }

    [Fact]
    public async Task AMediaStoragePathAtTheTopOfTheBucketLetsTheCredentialWriteAnywhereInIt()
    {
        var apply = await _raw.ApplyAsync($"{{\"MediaType\":\"m3u8\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/index.m3u8\"}}");
        var bucket = apply.GetProperty("StorageBucket").GetString()!;
        var temp = RawRequests.TempCredentialOf(apply);
        Assert.Equal(200, (int)(await _raw.CosAsync(HttpMethod.Put, bucket, "index.m3u8", temp, "#EXTM3U\n#EXTINF:10,\nseg/0.ts\n"u8.ToArray())).StatusCode);
        Assert.Equal(200, (int)(await _raw.CosAsync(HttpMethod.Put, bucket, "seg/0.ts", temp, "ts"u8.ToArray())).StatusCode);
        Assert.Null(ErrorCode(await CommitAsync(apply)));
    }

    [Theory]
    [InlineData("none", "Only a sub-application in FileID + Path mode may choose its MediaStoragePath, and this ApplyUpload names no SubAppId.")]
    [InlineData("id-mode", "Only a sub-application in FileID + Path mode may choose its MediaStoragePath; sub-application 1500000001 is not in that mode.")]
    public async Task RefusesAMediaStoragePathFromAnythingButAPathModeSubApplication(string subApp, string message)
    {
        var subAppId = subApp == "none" ? string.Empty : $",\"SubAppId\":{IdMode}";
        var (_, body) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\"{subAppId},\"MediaStoragePath\":\"/shows/a.mp4\"}}");
        Assert.Equal(Refused, ErrorCode(body));
        Assert.Equal(message, ErrorMessage(body));
    }

    [Theory]
    [InlineData("shows/a.mp4", "MediaStoragePath must be a slash followed by an object key that does not itself start with a slash or backslash, such as /dir1/video.mp4.")]
    [InlineData("/", "MediaStoragePath must be a slash followed by an object key that does not itself start with a slash or backslash, such as /dir1/video.mp4.")]
    [InlineData("//shows/a.mp4", "MediaStoragePath must be a slash followed by an object key that does not itself start with a slash or backslash, such as /dir1/video.mp4.")]
    [InlineData("/\\\\shows\\\\a.mp4", "MediaStoragePath must be a slash followed by an object key that does not itself start with a slash or backslash, such as /dir1/video.mp4.")]
    [InlineData("/shows/\\u0018a.mp4", "MediaStoragePath contains a control character COS refuses in object keys (CAN, EM, SUB or ESC).")]
    [InlineData("/shows/a\\u001B.mp4", "MediaStoragePath contains a control character COS refuses in object keys (CAN, EM, SUB or ESC).")]
    [InlineData("851", "MediaStoragePath is 851 bytes long after its first slash; COS object keys are at most 850.")]
    [InlineData("852-utf8", "MediaStoragePath is 852 bytes long after its first slash; COS object keys are at most 850.")]
    public async Task RefusesAMediaStoragePathThatIsNotASlashAndAnObjectKeyCosTakes(string path, string message)
    {
        path = path switch
        {
            "851" => "/" + new string('a', 851),
            "852-utf8" => "/" + string.Concat(Enumerable.Repeat("\\u4e2d", 284)),
            _ => path,
        };
        var (_, body) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"{path}\"}}");
        Assert.Equal(Refused, ErrorCode(body));
        Assert.Equal(message, ErrorMessage(body));
    }

    [Theory]
    [InlineData("850")]
    [InlineData("850-utf8")]
    [InlineData("/shows/\\u0017a.mp4")]
    public async Task AcceptsMediaStoragePathsAtTheEdgesOfCossRules(string path)
    {
        path = path switch
        {
            "850" => "/" + new string('a', 850),
            "850-utf8" => "/" + string.Concat(Enumerable.Repeat("\\u4e2d", 283)) + "a",
            _ => path,
        };
        var (_, body) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"{path}\"}}");
        Assert.Null(ErrorCode(body));
    }

    [Fact]
    public async Task AnswersALoneSurrogateWithAnErrorNotACrash()
    {
        var (response, body) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/shows/\\ud800a.mp4\"}}");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("InvalidParameter", ErrorCode(body));
        Assert.Equal("MediaStoragePath is not valid Unicode text (it has a lone surrogate).", ErrorMessage(body));
    }

    [Fact]
    public async Task RefusesASecondUploadToAPathThatHoldsCommittedMediaOrItsCover()
    {
        var first = await _raw.ApplyAsync($"{{\"MediaType\":\"mp4\",\"CoverType\":\"png\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/shows/a.mp4\"}}");
        await PutAsync(first, "shows/a.mp4", "shows/a.mp4.cover.png");
        var fileId = (await CommitAsync(first)).GetProperty("Response").GetProperty("FileId").GetString();

        var (_, again) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/shows/a.mp4\"}}");
        Assert.Equal(Refused, ErrorCode(again));
        Assert.Equal($"MediaStoragePath /shows/a.mp4 cannot be used: /shows/a.mp4 already holds committed media (FileId {fileId}), and the emulator refuses a second upload to it.", ErrorMessage(again));

        var (_, onTheCover) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/shows/a.mp4.cover.png\"}}");
        Assert.Equal(Refused, ErrorCode(onTheCover));
        Assert.Equal($"MediaStoragePath /shows/a.mp4.cover.png cannot be used: /shows/a.mp4.cover.png already holds committed media (FileId {fileId}), and the emulator refuses a second upload to it.", ErrorMessage(onTheCover));

        // Another path is free.
        Assert.Null(ErrorCode((await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/shows/b.mp4\"}}")).Body));
        Assert.Single(_emulator.CommittedMedia);
    }

    [Fact]
    public async Task RefusesAnUploadWhoseCoverWouldLandOnCommittedMedia()
    {
        var first = await _raw.ApplyAsync($"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/x/b.mp4.cover.jpg\"}}");
        await PutAsync(first, "x/b.mp4.cover.jpg");
        var fileId = (await CommitAsync(first)).GetProperty("Response").GetProperty("FileId").GetString();

        var (_, withCover) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"CoverType\":\"jpg\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/x/b.mp4\"}}");
        Assert.Equal(Refused, ErrorCode(withCover));
        Assert.Equal($"MediaStoragePath /x/b.mp4 cannot be used: /x/b.mp4.cover.jpg already holds committed media (FileId {fileId}), and the emulator refuses a second upload to it.", ErrorMessage(withCover));
        // Without a cover nothing collides.
        Assert.Null(ErrorCode((await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/x/b.mp4\"}}")).Body));
    }

    [Fact]
    public async Task OfTwoSessionsForOnePathOnlyTheFirstToCommitIsCommitted()
    {
        // Neither holds committed media when the other applies, so both are handed the path.
        var json = $"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode},\"MediaStoragePath\":\"/race/a.mp4\"}}";
        var first = await _raw.ApplyAsync(json);
        var second = await _raw.ApplyAsync(json);
        await PutAsync(second, "race/a.mp4");
        var won = await CommitAsync(second);
        var fileId = won.GetProperty("Response").GetProperty("FileId").GetString();

        var lost = await CommitAsync(first);
        Assert.Equal(Refused, ErrorCode(lost));
        Assert.Equal($"/race/a.mp4 already holds committed media (FileId {fileId}); this upload to it was not committed.", ErrorMessage(lost));
        Assert.Equal(fileId, (await CommitAsync(second)).GetProperty("Response").GetProperty("FileId").GetString()); // a repeat answers the same
        Assert.Equal(fileId, Assert.Single(_emulator.CommittedMedia).FileId);
    }

    [Fact]
    public async Task AnUploadWithoutAMediaStoragePathStillGetsAPathOfTheEmulatorsChoosing()
    {
        var apply = await _raw.ApplyAsync($"{{\"MediaType\":\"mp4\",\"SubAppId\":{PathMode}}}");
        Assert.Matches("^/[0-9]+/f0\\.mp4$", apply.GetProperty("MediaStoragePath").GetString());
    }

    [Theory]
    [InlineData(new long[] { 0 }, null, "PathModeSubAppIds holds 0; a sub-application ID is positive. (Parameter 'options')")]
    [InlineData(new long[] { 7 }, new long[] { 5, 6 }, "PathModeSubAppIds holds 7, which is not one of SubAppIds. (Parameter 'options')")]
    public async Task RefusesPathModeSubApplicationsThatCannotExist(long[] pathMode, long[]? known, string message)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => VodEmulator.StartAsync(new VodEmulatorOptions { PathModeSubAppIds = pathMode, SubAppIds = known }));
        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public async Task ByDefaultNoSubApplicationIsInPathMode()
    {
        await using var plain = await VodEmulator.StartAsync();
        using var raw = new RawRequests(plain);
        var (_, body) = await raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\",\"SubAppId\":101,\"MediaStoragePath\":\"/a.mp4\"}");
        Assert.Equal(Refused, ErrorCode(body));
        Assert.Equal("Only a sub-application in FileID + Path mode may choose its MediaStoragePath; sub-application 101 is not in that mode.", ErrorMessage(body));
    }

    private async Task PutAsync(JsonElement apply, params string[] keys)
    {
        var temp = RawRequests.TempCredentialOf(apply);
        foreach (var key in keys)
        {
            Assert.Equal(200, (int)(await _raw.CosAsync(HttpMethod.Put, apply.GetProperty("StorageBucket").GetString()!, key, temp, "bytes"u8.ToArray())).StatusCode);
        }
    }

    private async Task<JsonElement> CommitAsync(JsonElement apply)
    {
        var (_, body) = await _raw.VodAsync("CommitUpload", $"{{\"VodSessionKey\":\"{apply.GetProperty("VodSessionKey").GetString()}\",\"SubAppId\":{PathMode}}}");
        return body;
    }

    private static string? ErrorCode(JsonElement body) =>
        body.GetProperty("Response").TryGetProperty("Error", out var e) ? e.GetProperty("Code").GetString() : null;

    private static string? ErrorMessage(JsonElement body) =>
        body.GetProperty("Response").TryGetProperty("Error", out var e) ? e.GetProperty("Message").GetString() : null;
}
