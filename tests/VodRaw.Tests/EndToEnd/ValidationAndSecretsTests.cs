using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

public sealed class ValidationAndSecretsTests : IAsyncLifetime
{
    private UploadHarness _h = null!;

    public async Task InitializeAsync() => _h = await UploadHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    public static TheoryData<string> BadRequests =>
    [
        "no-region", "no-media", "both-sources", "missing-file", "directory", "no-extension", "dot-file", "stream-without-type",
        "missing-cover", "cover-without-extension", "cover-type-without-cover", "expire-time", "expire-time-no-zone",
        "source-context", "session-context", "concurrency-zero", "concurrency-high", "sub-app-id",
    ];

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task RejectsBadInputBeforeSendingAnything(string kind)
    {
        var (media, _) = _h.File("ok.mp4", 10);
        var region = "ap-guangzhou";
        var request = new VodUploadRequest { MediaFilePath = media };
        switch (kind)
        {
            case "no-region": region = " "; break;
            case "no-media": request.MediaFilePath = null; break;
            case "both-sources": request.MediaStream = new MemoryStream(); break;
            case "missing-file": request.MediaFilePath = Path.Combine(_h.TempDirectory, "absent.mp4"); break;
            case "directory": request.MediaFilePath = _h.TempDirectory; break;
            case "no-extension": request.MediaFilePath = _h.File("noext", 10).Path; break;
            case "dot-file": request.MediaFilePath = _h.File(".mp4", 10).Path; break;
            case "stream-without-type": request.MediaFilePath = null; request.MediaStream = new MemoryStream(new byte[10]); break;
            case "missing-cover": request.CoverFilePath = Path.Combine(_h.TempDirectory, "absent.png"); break;
            case "cover-without-extension": request.CoverFilePath = _h.File("cover", 10).Path; break;
            case "cover-type-without-cover": request.CoverType = "png"; break;
            case "expire-time": request.ExpireTime = "next week"; break;
            case "expire-time-no-zone": request.ExpireTime = "2030-01-01T00:00:00"; break;
            case "source-context": request.SourceContext = new string('s', 251); break;
            case "session-context": request.SessionContext = new string('s', 1001); break;
            case "concurrency-zero": request.ConcurrentUploadNumber = 0; break;
            case "concurrency-high": request.ConcurrentUploadNumber = 65; break;
            default: request.SubAppId = 0; break;
        }

        using var client = _h.Client();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.UploadAsync(region, request));
        Assert.Empty(_h.Emulator.Requests);
        Assert.Empty(_h.Recorder.Requests);
    }

    [Theory]
    [InlineData("both-covers", "Set one of CoverFilePath, CoverStream and CoverUrl, not several.")]
    [InlineData("cover-stream-without-type", "CoverType is required when the cover is a stream.")]
    [InlineData("cover-stream-unreadable", "CoverStream is not readable.")]
    [InlineData("cover-stream-is-the-media-stream", "CoverStream is the same stream as MediaStream; the media and the cover each need a stream of their own.")]
    [InlineData("cover-type-without-cover", "CoverType is set but no cover is (CoverFilePath, CoverStream or CoverUrl); a cover type promises a cover.")]
    public async Task RefusesACoverStreamThatCannotWorkBeforeSendingAnything(string kind, string message)
    {
        var (media, _) = _h.File("ok.mp4", 10);
        var (cover, _) = _h.File("ok.jpg", 10);
        var unreadable = new MemoryStream(new byte[10]);
        await unreadable.DisposeAsync();
        using var shared = new MemoryStream(new byte[10]);
        var request = kind switch
        {
            "both-covers" => new VodUploadRequest { MediaFilePath = media, CoverFilePath = cover, CoverStream = new MemoryStream(new byte[10]) },
            "cover-stream-without-type" => new VodUploadRequest { MediaFilePath = media, CoverStream = new MemoryStream(new byte[10]) },
            "cover-stream-unreadable" => new VodUploadRequest { MediaFilePath = media, CoverStream = unreadable, CoverType = "jpg" },
            "cover-stream-is-the-media-stream" => new VodUploadRequest { MediaStream = shared, MediaType = "mp4", CoverStream = shared, CoverType = "jpg" },
            _ => new VodUploadRequest { MediaFilePath = media, CoverType = "jpg" },
        };

        using var client = _h.Client();
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => client.UploadAsync("ap-guangzhou", request));
        Assert.Equal(message + " (Parameter 'request')", refused.Message);
        Assert.Equal(message + " (Parameter 'request')", (await Assert.ThrowsAsync<ArgumentException>(() => client.PlanAsync("ap-guangzhou", request))).Message);
        Assert.Empty(_h.Emulator.Requests);
        Assert.Empty(_h.Recorder.Requests);
    }

    [Theory]
    [InlineData("no-leading-slash", "MediaStoragePath must start with '/', for example /dir1/video.mp4.")]
    [InlineData("slash-only", "MediaStoragePath names no file after its '/' (for example /dir1/video.mp4).")]
    [InlineData("double-slash", "MediaStoragePath starts with '/' followed by '/' or '\\': the COS object key after the first '/' cannot start with either.")]
    [InlineData("slash-backslash", "MediaStoragePath starts with '/' followed by '/' or '\\': the COS object key after the first '/' cannot start with either.")]
    [InlineData("control-character", "MediaStoragePath contains the control character U+001A, which COS does not accept in object keys.")]
    [InlineData("escape-character", "MediaStoragePath contains the control character U+001B, which COS does not accept in object keys.")]
    [InlineData("lone-surrogate", "MediaStoragePath has a lone surrogate at character 7, so it has no UTF-8 form.")]
    [InlineData("851-ascii-bytes", "MediaStoragePath is 851 bytes in UTF-8 after its leading '/'; a COS object key holds at most 850.")]
    [InlineData("852-utf8-bytes", "MediaStoragePath is 852 bytes in UTF-8 after its leading '/'; a COS object key holds at most 850.")]
    public async Task RefusesAMediaStoragePathVodOrCosWouldNotTakeBeforeSendingAnything(string kind, string message)
    {
        var path = kind switch
        {
            "no-leading-slash" => "dir1/video.mp4",
            "slash-only" => "/",
            "double-slash" => "//dir1/video.mp4",
            "slash-backslash" => "/\\dir1\\video.mp4",
            "control-character" => "/dir1/\u001Avideo.mp4",
            "escape-character" => "/dir1/video\u001B.mp4",
            "lone-surrogate" => "/dir1/\uD800video.mp4",
            "851-ascii-bytes" => "/" + new string('a', 851),
            _ => "/" + new string('\u4E2D', 284), // 3 bytes each
        };
        var (media, _) = _h.File("ok.mp4", 10);
        using var client = _h.Client();
        var request = new VodUploadRequest { MediaFilePath = media, SubAppId = 101, MediaStoragePath = path };

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => client.UploadAsync("ap-guangzhou", request));
        Assert.Equal(message + " (Parameter 'request')", refused.Message);
        Assert.Equal(message + " (Parameter 'request')", (await Assert.ThrowsAsync<ArgumentException>(() => client.PlanAsync("ap-guangzhou", request))).Message);
        Assert.Empty(_h.Emulator.Requests);
        Assert.Empty(_h.Recorder.Requests);
    }

    [Theory]
    [InlineData("/a")]
    [InlineData("/dir1/sub dir/video.mp4")]
    [InlineData("/dir1/\u0017video.mp4")] // only U+0018–U+001B are refused by COS
    [InlineData("/dir1/\U0001F600.mp4")] // a surrogate pair is one character, 4 bytes
    [InlineData("850-ascii-bytes")]
    [InlineData("850-utf8-bytes")]
    public async Task AcceptsMediaStoragePathsAtTheEdgesOfTheRules(string path)
    {
        path = path switch
        {
            "850-ascii-bytes" => "/" + new string('a', 850),
            "850-utf8-bytes" => "/" + new string('\u4E2D', 283) + "a",
            _ => path,
        };
        var (media, _) = _h.File("ok.mp4", 10);
        using var client = _h.Client();
        var plan = await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, SubAppId = 101, MediaStoragePath = path });
        Assert.Equal(media, Assert.Single(plan.Files).Path);
        Assert.Empty(_h.Recorder.Requests);
    }

    [Fact]
    public async Task AcceptsTheLongestAllowedContexts()
    {
        var (media, _) = _h.File("ok.mp4", 10);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, SourceContext = new string('s', 250), SessionContext = new string('t', 1000) });
        Assert.False(string.IsNullOrEmpty(response.FileId));
    }

    [Theory]
    [InlineData(1024L * 1024 - 1)]
    [InlineData(6L * 1024 * 1024 * 1024)]
    public void RejectsPartSizesOutOfRange(long partSize) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VodUploadClient(new VodCredential("id", "key"), new VodUploadClientOptions { Transfer = new TransferOptions { PartSize = partSize } }));

    [Fact]
    public void RejectsBadClientOptions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VodUploadClient(new VodCredential("id", "key"), new VodUploadClientOptions { Transfer = new TransferOptions { Concurrency = 0 } }));
        Assert.Throws<ArgumentException>(() => new VodUploadClient(new VodCredential("id", "key"), new VodUploadClientOptions { CosEndpointTemplate = "https://cos.example.com" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VodUploadClient(new VodCredential("id", "key"), new VodUploadClientOptions { InactivityTimeout = TimeSpan.Zero }));
    }

    [Fact]
    public async Task NoSecretReachesAnyMessageOrToString()
    {
        var (media, _) = _h.File("s.mp4", (2 * 1024 * 1024) + 1);
        var captured = new List<string>();
        var sts = _h.Emulator.TemporaryCredential;
        var credential = new VodCredential(sts.SecretId, sts.SecretKey, sts.Token);
        captured.Add(credential.ToString());

        using (var client = _h.Client(credential: credential))
        {
            var progress = new SynchronousProgress<UploadProgress>(p => captured.Add(p.ToString()));
            var ok = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }, progress);
            captured.Add(ok.ToString());

            // Failures of every kind, with their full ToString (stack, inner exceptions).
            _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied");
            captured.Add((await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }))).ToString());
            _h.Emulator.Faults.Fail(EmulatorOperation.CommitUpload, 200, "InternalError", times: 10);
            captured.Add((await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }))).ToString());
            _h.Emulator.Faults.ResetConnection(EmulatorOperation.PutObject, times: 10);
            captured.Add((await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _h.File("small.mp4", 10).Path }))).ToString());
        }

        captured.AddRange(_h.Emulator.Requests.Select(r => r.ToString()));
        var secrets = new List<string> { sts.SecretKey, sts.Token! };
        // The temporary COS credentials the emulator issued, and every Authorization header that was sent.
        foreach (var request in _h.Recorder.Requests)
        {
            foreach (var line in request.Headers.Split('\n'))
            {
                if (line.StartsWith("Authorization: ", StringComparison.Ordinal))
                {
                    secrets.Add(line["Authorization: ".Length..]);
                }
            }
        }

        Assert.True(secrets.Count > 5);
        foreach (var text in captured)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("q-signature", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Signature=", text, StringComparison.Ordinal);
        }
    }
}
