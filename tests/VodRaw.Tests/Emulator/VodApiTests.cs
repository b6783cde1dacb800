using System.Text.Json;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

public sealed class VodApiTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private VodEmulator _emulator = null!;
    private RawRequests _raw = null!;

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { TimeProvider = _time, SubAppIds = [1500000001] });
        _raw = new RawRequests(_emulator, _time);
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task AcceptsACorrectlySignedApplyUploadAndReturnsEveryField()
    {
        var r = await _raw.ApplyAsync("{\"MediaType\":\"mp4\",\"CoverType\":\"png\",\"SubAppId\":1500000001,\"MediaName\":\"Wildlife\",\"Procedure\":\"P\",\"ExpireTime\":\"2099-01-01T00:00:00Z\",\"ClassId\":0,\"SourceContext\":\"s\",\"SessionContext\":\"t\"}");
        Assert.Equal(_emulator.BucketFor(1500000001), r.GetProperty("StorageBucket").GetString());
        Assert.EndsWith("-1250000000", r.GetProperty("StorageBucket").GetString());
        Assert.Equal("ap-guangzhou", r.GetProperty("StorageRegion").GetString());
        Assert.StartsWith("/", r.GetProperty("MediaStoragePath").GetString());
        Assert.EndsWith(".mp4", r.GetProperty("MediaStoragePath").GetString());
        Assert.EndsWith(".png", r.GetProperty("CoverStoragePath").GetString());
        Assert.False(string.IsNullOrEmpty(r.GetProperty("VodSessionKey").GetString()));
        Assert.True(r.GetProperty("TempCertificate").GetProperty("ExpiredTime").GetInt64() > _time.GetUtcNow().ToUnixTimeSeconds());
        Assert.False(string.IsNullOrEmpty(r.GetProperty("RequestId").GetString()));
    }

    [Fact]
    public async Task HandsOutANewStoragePathForEveryApplyUpload()
    {
        var a = await _raw.ApplyAsync();
        var b = await _raw.ApplyAsync();
        Assert.NotEqual(a.GetProperty("MediaStoragePath").GetString(), b.GetProperty("MediaStoragePath").GetString());
        Assert.Equal(JsonValueKind.Null, a.GetProperty("CoverStoragePath").ValueKind);
    }

    [Fact]
    public async Task AcceptsTheVariantThatSignsXTcAction()
    {
        var (_, body) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}", signAction: true);
        Assert.False(body.GetProperty("Response").TryGetProperty("Error", out _));
    }

    [Fact]
    public async Task AcceptsACallersTemporaryCredentialWithItsToken()
    {
        var (_, ok) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}", _emulator.TemporaryCredential);
        Assert.False(ok.GetProperty("Response").TryGetProperty("Error", out _));
        var (_, missing) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}", _emulator.TemporaryCredential, sendToken: false);
        Assert.Equal("AuthFailure.TokenFailure", ErrorCode(missing));
        var (_, wrong) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}", _emulator.TemporaryCredential,
            tamper: r => { r.Headers.Remove("X-TC-Token"); r.Headers.Add("X-TC-Token", "forged-token"); });
        Assert.Equal("AuthFailure.TokenFailure", ErrorCode(wrong));
    }

    [Fact]
    public async Task ARefusedTc3SignatureSaysWhatTheEmulatorSigned()
    {
        var (_, body) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}", _emulator.Credential with { SecretKey = "not-the-secret" });
        var message = body.GetProperty("Response").GetProperty("Error").GetProperty("Message").GetString()!;
        Assert.Contains("canonical request was: POST\\n/\\n", message, StringComparison.Ordinal);
        Assert.Contains("string to sign: TC3-HMAC-SHA256\\n", message, StringComparison.Ordinal);
        Assert.DoesNotContain(_emulator.Credential.SecretKey, message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Tamperings => ["body", "content-type", "host", "secret", "secret-id", "timestamp-late", "timestamp-early", "scope-date", "no-authorization", "not-tc3"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task RejectsEachTamperingWithTheServicesCode(string tampering)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var credential = _emulator.Credential;
        Action<HttpRequestMessage>? tamper = null;
        long? timestamp = null;
        string expected;
        switch (tampering)
        {
            case "body":
                tamper = r => r.Content = Json("{\"MediaType\":\"mp5\"}");
                expected = "AuthFailure.SignatureFailure";
                break;
            case "content-type":
                tamper = r => r.Content!.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
                expected = "AuthFailure.SignatureFailure";
                break;
            case "host":
                tamper = r => r.Headers.Host = "vod.tencentcloudapi.com";
                expected = "AuthFailure.SignatureFailure";
                break;
            case "secret":
                credential = credential with { SecretKey = "not-the-secret" };
                expected = "AuthFailure.SignatureFailure";
                break;
            case "secret-id":
                credential = credential with { SecretId = "AKIDUNKNOWN" };
                expected = "AuthFailure.SecretIdNotFound";
                break;
            case "timestamp-late":
                timestamp = now - 301;
                expected = "AuthFailure.SignatureExpire";
                break;
            case "timestamp-early":
                timestamp = now + 301;
                expected = "AuthFailure.SignatureExpire";
                break;
            case "scope-date":
                tamper = r =>
                {
                    var auth = r.Headers.GetValues("Authorization").Single();
                    var date = DateTimeOffset.FromUnixTimeSeconds(now).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                    r.Headers.Remove("Authorization");
                    r.Headers.TryAddWithoutValidation("Authorization", auth.Replace(date, "2001-01-01", StringComparison.Ordinal));
                };
                expected = "AuthFailure.SignatureFailure";
                break;
            case "no-authorization":
                tamper = r => r.Headers.Remove("Authorization");
                expected = "AuthFailure.SignatureFailure";
                break;
            default:
                tamper = r => { r.Headers.Remove("Authorization"); r.Headers.TryAddWithoutValidation("Authorization", "Basic abc"); };
                expected = "AuthFailure.InvalidAuthorization";
                break;
        }

        var (response, body) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}", credential, tamper, timestamp);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(expected, ErrorCode(body));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("Response").GetProperty("RequestId").GetString()));
    }

    [Fact]
    public async Task AcceptsATimestampJustInsideTheWindow()
    {
        var (_, body) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}", timestamp: _time.GetUtcNow().ToUnixTimeSeconds() - 299);
        Assert.False(body.GetProperty("Response").TryGetProperty("Error", out _));
    }

    [Theory]
    [InlineData("{}", "MissingParameter")]
    [InlineData("{\"MediaType\":\"exe\"}", "InvalidParameterValue.MediaType")]
    [InlineData("{\"MediaType\":\"mp4\",\"CoverType\":\"txt\"}", "InvalidParameterValue.CoverType")]
    [InlineData("{\"MediaType\":\"mp4\",\"ExpireTime\":\"tomorrow\"}", "InvalidParameter.ExpireTime")]
    [InlineData("{\"MediaType\":\"mp4\",\"ExpireTime\":\"2001-01-01T00:00:00Z\"}", "InvalidParameterValue.ExpireTime")]
    [InlineData("{\"MediaType\":\"mp4\",\"SubAppId\":42}", "InvalidParameterValue.SubAppId")]
    [InlineData("{\"MediaType\":\"mp4\",\"SubAppId\":\"1500000001\"}", "InvalidParameter")]
    [InlineData("{\"MediaType\":\"mp4\",\"Color\":\"blue\"}", "UnknownParameter")]
    public async Task ValidatesApplyUploadLikeTheService(string json, string code)
    {
        var (_, body) = await _raw.VodAsync("ApplyUpload", json);
        Assert.Equal(code, ErrorCode(body));
    }

    [Fact]
    public async Task EnforcesTheContextLengthLimits()
    {
        var (_, ok) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SourceContext\":\"{new string('s', 250)}\",\"SessionContext\":\"{new string('t', 1000)}\"}}");
        Assert.False(ok.GetProperty("Response").TryGetProperty("Error", out _));
        var (_, source) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SourceContext\":\"{new string('s', 251)}\"}}");
        Assert.Equal("InvalidParameterValue.SourceContext", ErrorCode(source));
        var (_, session) = await _raw.VodAsync("ApplyUpload", $"{{\"MediaType\":\"mp4\",\"SessionContext\":\"{new string('t', 1001)}\"}}");
        Assert.Equal("InvalidParameterValue.SessionContext", ErrorCode(session));
    }

    [Fact]
    public async Task RejectsUnknownActionsAndMissingRegion()
    {
        var (_, action) = await _raw.VodAsync("DeleteEverything", "{}");
        Assert.Equal("InvalidAction", ErrorCode(action));
        var (_, region) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}", region: null);
        Assert.Equal("MissingParameter", ErrorCode(region));
    }

    [Fact]
    public async Task CommitFailsUntilTheMediaIsUploadedThenSucceedsIdempotently()
    {
        var apply = await _raw.ApplyAsync("{\"MediaType\":\"mp4\",\"CoverType\":\"jpg\"}");
        var sessionKey = apply.GetProperty("VodSessionKey").GetString();
        var commitJson = $"{{\"VodSessionKey\":\"{sessionKey}\"}}";
        var (_, early) = await _raw.VodAsync("CommitUpload", commitJson);
        Assert.Equal("ResourceNotFound", ErrorCode(early));

        var temp = RawRequests.TempCredentialOf(apply);
        var bucket = apply.GetProperty("StorageBucket").GetString()!;
        var mediaKey = apply.GetProperty("MediaStoragePath").GetString()![1..];
        Assert.Equal(200, (int)(await _raw.CosAsync(HttpMethod.Put, bucket, mediaKey, temp, "video"u8.ToArray())).StatusCode);
        var (_, noCover) = await _raw.VodAsync("CommitUpload", commitJson);
        Assert.Equal("ResourceNotFound", ErrorCode(noCover));
        Assert.Contains("cover", noCover.GetProperty("Response").GetProperty("Error").GetProperty("Message").GetString(), StringComparison.Ordinal);

        var coverKey = apply.GetProperty("CoverStoragePath").GetString()![1..];
        Assert.Equal(200, (int)(await _raw.CosAsync(HttpMethod.Put, bucket, coverKey, temp, "image"u8.ToArray())).StatusCode);
        var (_, first) = await _raw.VodAsync("CommitUpload", commitJson);
        var (_, second) = await _raw.VodAsync("CommitUpload", commitJson);
        var fileId = first.GetProperty("Response").GetProperty("FileId").GetString();
        Assert.False(string.IsNullOrEmpty(fileId));
        Assert.Equal(fileId, second.GetProperty("Response").GetProperty("FileId").GetString());
        Assert.Contains(mediaKey, first.GetProperty("Response").GetProperty("MediaUrl").GetString(), StringComparison.Ordinal);
        Assert.Contains(coverKey, first.GetProperty("Response").GetProperty("CoverUrl").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommitChecksTheSessionKeyAndSubAppId()
    {
        var (_, unknown) = await _raw.VodAsync("CommitUpload", "{\"VodSessionKey\":\"nope\"}");
        Assert.Equal("InvalidParameterValue.VodSessionKey", ErrorCode(unknown));
        var apply = await _raw.ApplyAsync("{\"MediaType\":\"mp4\",\"SubAppId\":1500000001}");
        var (_, mismatch) = await _raw.VodAsync("CommitUpload", $"{{\"VodSessionKey\":\"{apply.GetProperty("VodSessionKey").GetString()}\"}}");
        Assert.Equal("InvalidParameterValue.SubAppId", ErrorCode(mismatch));
    }

    [Fact]
    public async Task CommitOfAManifestRequiresEveryReferencedSegment()
    {
        var apply = await _raw.ApplyAsync("{\"MediaType\":\"m3u8\"}");
        var temp = RawRequests.TempCredentialOf(apply);
        var bucket = apply.GetProperty("StorageBucket").GetString()!;
        var manifestKey = apply.GetProperty("MediaStoragePath").GetString()![1..];
        var directory = manifestKey[..(manifestKey.LastIndexOf('/') + 1)];
        var playlist = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\ngear1/prog_index.m3u8\n"u8.ToArray();
        await _raw.CosAsync(HttpMethod.Put, bucket, manifestKey, temp, playlist);
        await _raw.CosAsync(HttpMethod.Put, bucket, directory + "gear1/prog_index.m3u8", temp, "#EXTM3U\n#EXTINF:10,\nfileSequence0.ts\n"u8.ToArray());
        var commit = $"{{\"VodSessionKey\":\"{apply.GetProperty("VodSessionKey").GetString()}\"}}";
        var (_, missing) = await _raw.VodAsync("CommitUpload", commit);
        Assert.Equal("ResourceNotFound", ErrorCode(missing));
        Assert.Contains("fileSequence0.ts", missing.GetProperty("Response").GetProperty("Error").GetProperty("Message").GetString(), StringComparison.Ordinal);

        await _raw.CosAsync(HttpMethod.Put, bucket, directory + "gear1/fileSequence0.ts", temp, "ts"u8.ToArray());
        var (_, ok) = await _raw.VodAsync("CommitUpload", commit);
        Assert.False(ok.GetProperty("Response").TryGetProperty("Error", out _));
    }

    [Fact]
    public async Task ParsesStreamingManifests()
    {
        var content = JsonSerializer.Serialize("#EXTM3U\r\n#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\"\r\n#EXTINF:10,\r\nseg 1.ts\r\n");
        var (_, body) = await _raw.VodAsync("ParseStreamingManifest", $"{{\"MediaManifestContent\":{content},\"ManifestType\":\"m3u8\"}}");
        var set = body.GetProperty("Response").GetProperty("MediaSegmentSet").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(new[] { "key.bin", "seg 1.ts" }, set);
    }

    [Fact]
    public async Task RateLimitAndFailuresFollowTheFaultPlan()
    {
        _emulator.Faults.RateLimitVod(EmulatorOperation.ApplyUpload);
        var (_, limited) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}");
        Assert.Equal("RequestLimitExceeded", ErrorCode(limited));
        var (_, next) = await _raw.VodAsync("ApplyUpload", "{\"MediaType\":\"mp4\"}");
        Assert.False(next.GetProperty("Response").TryGetProperty("Error", out _));

        _emulator.Faults.Fail(EmulatorOperation.CommitUpload, 502, "BadGateway");
        var (response, _) = await _raw.VodAsync("CommitUpload", "{\"VodSessionKey\":\"x\"}");
        Assert.Equal(502, (int)response.StatusCode);
    }

    [Fact]
    public async Task LogsRequestsWithoutSecrets()
    {
        await _raw.ApplyAsync();
        var entry = Assert.Single(_emulator.Requests);
        Assert.Equal(EmulatorOperation.ApplyUpload, entry.Operation);
        Assert.DoesNotContain(_emulator.Credential.SecretKey, entry.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_emulator.Credential.SecretKey, _emulator.Credential.ToString(), StringComparison.Ordinal);
    }

    private static ByteArrayContent Json(string json)
    {
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new("application/json");
        return content;
    }

    private static string? ErrorCode(JsonElement body) =>
        body.GetProperty("Response").TryGetProperty("Error", out var e) ? e.GetProperty("Code").GetString() : null;
}
