using System.Collections.Concurrent;
using VodRaw.Checkpoints;
using VodRaw.Emulator;
using VodRaw.Emulator.Origin;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

/// <summary>
/// Uploads from a URL against the emulator and its HTTP origin: ranged and in-order reads, covers, packages, a
/// changed origin, every origin fault ending in a retry or a precise error, resume fetching only what is missing,
/// and secrets (a presigned query, an Authorization header) never shown.
/// </summary>
public sealed class UrlSourceTests : IAsyncLifetime
{
    private const int PartSize = 1024 * 1024;
    private UploadHarness _h = null!;
    private EmulatorOrigin _origin = null!;
    private readonly ConcurrentQueue<CheckpointNotice> _notices = new();

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync();
        _origin = await EmulatorOrigin.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        await _h.DisposeAsync();
    }

    private static byte[] Bytes(int length, int seed = 1)
    {
        var content = new byte[length];
        new Random(seed).NextBytes(content);
        return content;
    }

    private string CheckpointDirectory => Path.Combine(_h.TempDirectory, "checkpoints");

    private VodUploadClient Client(bool checkpoints = false, Action<VodUploadClientOptions>? configure = null) => _h.Client(o =>
    {
        o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 4 };
        o.ManifestDiscovery = ManifestDiscovery.Local;
        if (checkpoints)
        {
            o.Checkpoints = new CheckpointStore(CheckpointDirectory) { Notice = _notices.Enqueue };
        }

        configure?.Invoke(o);
    });

    private List<OriginRequest> Gets(string path) => [.. _origin.Requests.Where(r => r.Method == "GET" && r.Path.TrimStart('/') == path)];

    [Fact]
    public async Task AUrlIsFetchedWithParallelRangedGetsCarryingItsETagAndCommitted()
    {
        var content = Bytes((3 * PartSize) + 12345);
        _origin.Put("lib/clip.mp4", content);
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("lib/clip.mp4") });

        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(4, _h.MediaObject(response).PartCount);
        var gets = Gets("lib/clip.mp4");
        Assert.Equal("bytes=0-0", gets[0].Range); // the probe
        var parts = gets.Skip(1).ToList();
        Assert.Equal(4, parts.Count); // one GET per part, nothing fetched twice
        Assert.All(parts, g => Assert.NotNull(g.IfMatch));
        Assert.Equal(["bytes=0-1048575", "bytes=1048576-2097151", "bytes=2097152-3145727", "bytes=3145728-3158072"], parts.Select(g => g.Range!).Order(StringComparer.Ordinal));
        Assert.Contains("\"MediaType\":\"mp4\"", ApplyBody(), StringComparison.Ordinal);
        Assert.Contains("\"MediaName\":\"clip\"", ApplyBody(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACoverComesFromAUrlToo()
    {
        var media = Bytes(300_000);
        var cover = Bytes(700, seed: 9);
        _origin.Put("m/clip.mp4", media);
        _origin.Put("m/clip.jpg", cover);
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("m/clip.mp4"), CoverUrl = _origin.UrlOf("m/clip.jpg") });

        Assert.NotNull(response.CoverUrl);
        Assert.Equal(cover, _h.Emulator.Objects.Single(o => o.Key.EndsWith(".jpg", StringComparison.Ordinal)).ReadAllBytes());
        Assert.Equal(media, _h.MediaObject(response).ReadAllBytes());
        Assert.Contains("\"CoverType\":\"jpg\"", ApplyBody(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOriginWithoutRangesIsReadInOrderWithOneGetAndKeepsNoCheckpoint()
    {
        await using var plain = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { SupportRanges = false });
        var content = Bytes((2 * PartSize) + 77);
        plain.Put("a.mp4", content);
        using var client = Client(checkpoints: true);

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = plain.UrlOf("a.mp4") });

        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        var gets = plain.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal(2, gets.Count); // the probe (answered whole, not read) and the one GET read in order
        Assert.Null(gets[1].Range);
        Assert.False(Directory.Exists(CheckpointDirectory) && Directory.EnumerateFiles(CheckpointDirectory, "*.checkpoint").Any());
    }

    [Fact]
    public async Task AnOriginWithoutALengthTakesTheStreamedPath()
    {
        await using var chunked = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { SupportRanges = false, SendContentLength = false });
        var content = Bytes((2 * PartSize) + 5);
        chunked.Put("live.mp4", content);
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = chunked.UrlOf("live.mp4") });

        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(3, _h.MediaObject(response).PartCount);
    }

    [Fact]
    public async Task AnOriginThatChangesMidUploadIsNeverCommittedMixed()
    {
        var content = Bytes(4 * PartSize);
        _origin.Put("c.mp4", content);
        var change = _origin.Faults.ChangeAfter("c.mp4", 3, Bytes(4 * PartSize, seed: 2));
        using var client = Client(configure: o => o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 1 });

        var e = await Assert.ThrowsAsync<FileChangedException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("c.mp4") }));

        Assert.Equal(1, change.Fired);
        Assert.Equal(_origin.UrlOf("c.mp4").AbsoluteUri, e.Path);
        Assert.Contains("412", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads); // the changed source's upload is aborted
    }

    [Fact]
    public async Task A503WithRetryAfterAndADroppedBodyAreFetchedAgain()
    {
        var content = Bytes((2 * PartSize) + 10);
        _origin.Put("r.mp4", content);
        var unavailable = _origin.Faults.Status("r.mp4", 503, TimeSpan.FromSeconds(1), method: "GET", times: 2);
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("r.mp4") });
        var dropped = _origin.Faults.DropMidBody("r2.mp4", 1000);
        _origin.Put("r2.mp4", content);
        var again = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("r2.mp4"), MediaName = "again" });

        Assert.Equal(2, unavailable.Fired);
        Assert.Equal(1, dropped.Fired);
        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(content, _h.MediaObject(again).ReadAllBytes());
    }

    [Fact]
    public async Task AnOriginThatStaysUnavailableEndsAsATransientOriginFailureOnItsOwnBudget()
    {
        _origin.Put("down.mp4", Bytes(1000));
        var rule = _origin.Faults.Status("down.mp4", 503, method: "GET", times: OriginFaultRule.Always);
        using var client = Client(configure: o => o.OriginMaxAttempts = 3);

        var e = await Assert.ThrowsAsync<OriginException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("down.mp4") }));

        Assert.Equal(3, rule.Fired);
        Assert.Equal(3, e.Attempts);
        Assert.True(e.IsTransient);
        Assert.Equal(503, e.Status);
        Assert.Equal(VodRawErrorCodes.OriginFailed, e.Code);
        Assert.Equal("OriginProbe", e.Operation);
        Assert.Equal("bytes=0-0", e.Range);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.ApplyUpload); // nothing was sent to VOD
    }

    [Fact]
    public async Task AMissingObjectFailsAtOnceNamingTheUrlWithoutItsQuery()
    {
        using var client = Client();
        var url = new Uri(_origin.UrlOf("missing.mp4") + "?X-Amz-Signature=SECRETSIG");

        var e = await Assert.ThrowsAsync<OriginException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = url }));

        Assert.Equal(404, e.Status);
        Assert.Equal(1, e.Attempts);
        Assert.False(e.IsTransient);
        Assert.Equal(_origin.UrlOf("missing.mp4") + "?…", e.Url);
        Assert.DoesNotContain("SECRETSIG", e.ToString(), StringComparison.Ordinal);
        Assert.Contains("HTTP 404", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AShortBodyIsFetchedAgain()
    {
        var content = Bytes((2 * PartSize) + 1);
        _origin.Put("s.mp4", content);
        using var client = Client();
        var shortBody = _origin.Faults.ShortBody("s.mp4", 100, method: "GET", times: 2);

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("s.mp4") });

        Assert.Equal(2, shortBody.Fired); // the probe's one byte cannot be 100 short: the first part GETs were cut and fetched again
        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task RedirectsAreFollowedForGetsOnlyToHttpAndHeadersStayWithTheirOrigin()
    {
        await using var other = await EmulatorOrigin.StartAsync();
        var content = Bytes(5000);
        other.Put("real.mp4", content);
        _origin.AddRedirect("moved.mp4", other.UrlOf("real.mp4"));
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest
        {
            MediaUrl = _origin.UrlOf("moved.mp4"),
            SourceHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer SECRETTOKEN" },
        });

        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        Assert.All(_origin.Requests, r => Assert.True(r.HasHeader("Authorization")));
        Assert.All(other.Requests, r => Assert.False(r.HasHeader("Authorization"))); // another origin gets no header

        _origin.AddRedirect("ftp.mp4", new Uri("ftp://files.example/x.mp4"));
        var e = await Assert.ThrowsAsync<OriginException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("ftp.mp4") }));
        Assert.True(e.Message.Contains("redirected to a ftp: URL", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task APrivateOriginGetsItsHeaderAndTheSecretIsNeverWrittenOrShown()
    {
        await using var secured = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { RequiredAuthorization = "Bearer SECRETTOKEN" });
        var content = Bytes((2 * PartSize) + 3);
        secured.Put("p.mp4", content);
        secured.Faults.Status("p.mp4", 403, method: "GET", times: 1); // the first part fails once: the upload pauses with a checkpoint
        using var client = Client(checkpoints: true, configure: o => o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 1 });
        var request = new VodUploadRequest
        {
            MediaUrl = new Uri(secured.UrlOf("p.mp4") + "?sig=SECRETSIG"),
            SourceHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer SECRETTOKEN" },
        };

        var refused = await Assert.ThrowsAsync<OriginException>(() => client.UploadAsync("ap-guangzhou", request));
        Assert.Equal(403, refused.Status);
        var response = await client.UploadAsync("ap-guangzhou", request);

        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        foreach (var text in Directory.EnumerateFiles(_h.TempDirectory, "*", SearchOption.AllDirectories).Where(f => f.StartsWith(CheckpointDirectory, StringComparison.Ordinal)).Select(File.ReadAllText)
            .Append(refused.ToString()).Concat(_notices.Select(n => n.Message)))
        {
            Assert.DoesNotContain("SECRETTOKEN", text, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRETSIG", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnInterruptedUrlUploadResumesFetchingOnlyTheMissingParts()
    {
        var content = Bytes(6 * PartSize);
        _origin.Put("big.mp4", content);
        // Part 4's UploadPart is refused for good on the first run: the run fails, its checkpoint kept.
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", partNumber: 4, times: 1);
        using var client = Client(checkpoints: true, configure: o => o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 1 });
        var request = new VodUploadRequest { MediaUrl = _origin.UrlOf("big.mp4") };

        var failed = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", request));
        Assert.NotNull(failed.CheckpointId);
        var firstRunGets = Gets("big.mp4").Count;
        var response = await client.UploadAsync("ap-guangzhou", request);

        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        var secondRun = Gets("big.mp4").Skip(firstRunGets).ToList();
        Assert.Equal("bytes=0-0", secondRun[0].Range); // the probe: the same fingerprint continues the session
        var fetched = secondRun.Skip(1).Select(g => g.Range).ToList();
        Assert.Equal(3, fetched.Count); // parts 4, 5, 6 only: 1–3 are held by COS
        Assert.DoesNotContain("bytes=0-1048575", fetched);
    }

    [Fact]
    public async Task AChangedOriginBetweenRunsStartsFreshInsteadOfMixing()
    {
        _origin.Put("v.mp4", Bytes(3 * PartSize));
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", partNumber: 3, times: 1);
        using var client = Client(checkpoints: true, configure: o => o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 1 });
        var request = new VodUploadRequest { MediaUrl = _origin.UrlOf("v.mp4") };
        await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", request));
        var changed = Bytes(3 * PartSize, seed: 7);
        _origin.Put("v.mp4", changed); // a new ETag

        var response = await client.UploadAsync("ap-guangzhou", request);

        Assert.Equal(changed, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AnHlsPackageByUrlCommitsEveryFileItReferences()
    {
        _origin.Put("hls/master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow/index.m3u8\n"u8.ToArray());
        _origin.Put("hls/low/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg%201.ts\n#EXTINF:4,\nseg2.ts\n#EXT-X-ENDLIST\n"u8.ToArray());
        var seg1 = Bytes(2000, 3);
        var seg2 = Bytes(3000, 4);
        _origin.Put("hls/low/seg 1.ts", seg1);
        _origin.Put("hls/low/seg2.ts", seg2);
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("hls/master.m3u8") });

        var media = _h.MediaObject(response);
        var directory = media.Key[..(media.Key.LastIndexOf('/') + 1)];
        Assert.Equal(seg1, _h.Emulator.Objects.Single(o => o.Key == directory + "low/seg 1.ts").ReadAllBytes());
        Assert.Equal(seg2, _h.Emulator.Objects.Single(o => o.Key == directory + "low/seg2.ts").ReadAllBytes());
        Assert.Contains(_h.Emulator.Objects, o => o.Key == directory + "low/index.m3u8");
    }

    [Fact]
    public async Task APackageThatLeavesItsDirectoryOrHostFailsBeforeAnyVodRequest()
    {
        _origin.Put("pkg/index.m3u8", "#EXTM3U\n#EXTINF:4,\n../secret.ts\n#EXTINF:4,\nhttps://evil.example/x.ts\n#EXTINF:4,\n%2e%2e/y.ts\n#EXT-X-ENDLIST\n"u8.ToArray());
        using var client = Client();

        var e = await Assert.ThrowsAsync<ManifestException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("pkg/index.m3u8") }));

        Assert.Equal(3, e.Violations.Count);
        Assert.Empty(_h.Emulator.Requests);
        Assert.DoesNotContain(_origin.Requests, r => r.Path.Contains("secret", StringComparison.Ordinal) || r.Path.Contains("y.ts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlanProbesEachUrlForItsLength()
    {
        _origin.Put("plan/a.mp4", Bytes(12345));
        _origin.Put("plan/a.png", Bytes(99));
        using var client = Client();

        var plan = await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("plan/a.mp4"), CoverUrl = _origin.UrlOf("plan/a.png") });

        Assert.Equal([12345L, 99L], plan.Files.Select(f => f.Length!.Value));
        Assert.Equal(12345 + 99, plan.TotalBytes);
        Assert.Empty(_h.Emulator.Requests);
    }

    private string ApplyBody() => _h.Recorder.Requests.Single(r => r.Action == "ApplyUpload").Body;

    [Fact]
    public async Task AnOriginWithoutValidatorsKeepsNoCheckpointSoItCanNeverResumeMixed()
    {
        await using var bare = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { SendETag = false, SendLastModified = false });
        bare.Put("n.mp4", Bytes((2 * PartSize) + 9));
        using var client = Client(checkpoints: true);

        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = bare.UrlOf("n.mp4") });

        Assert.False(Directory.Exists(CheckpointDirectory) && Directory.EnumerateFiles(CheckpointDirectory, "*.checkpoint").Any());
        Assert.All(bare.Requests.Skip(1), r => Assert.Null(r.IfMatch));
    }

    [Fact]
    public async Task ASegmentReferenceWithAQueryIsRefusedWithoutShowingIt()
    {
        _origin.Put("q/index.m3u8", "#EXTM3U\n#EXTINF:4,\ns0.ts?token=SECRETTOKEN\n#EXT-X-ENDLIST\n"u8.ToArray());
        using var client = Client();

        var e = await Assert.ThrowsAsync<ManifestException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("q/index.m3u8") }));

        Assert.Contains("'s0.ts?…' carries a query", Assert.Single(e.Violations), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETTOKEN", e.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Emulator.Requests);
    }

    [Fact]
    public async Task APartIsReadWhileItIsSentAndAPutSentAgainFetchesItsPartAgain()
    {
        var content = Bytes(3 * PartSize);
        _origin.Put("again.mp4", content);
        _h.Emulator.Faults.ResetConnection(EmulatorOperation.UploadPart, afterBytes: 300_000, partNumber: 2);
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("again.mp4") });

        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        Assert.Single(_h.Emulator.Faults.FiredRules);
        Assert.Equal(2, Gets("again.mp4").Count(g => g.Range == "bytes=1048576-2097151")); // part 2's GET, opened again for the second PUT
    }

    [Fact]
    public async Task AGetThatKeepsBreakingMidBodyEndsAsATransientOriginFailureNamingItsRange()
    {
        _origin.Put("flaky.mp4", Bytes(2 * PartSize));
        var drop = _origin.Faults.DropMidBody("flaky.mp4", 5000, method: "GET", times: OriginFaultRule.Always);
        using var client = Client(configure: o => o.OriginMaxAttempts = 3);

        var e = await Assert.ThrowsAsync<OriginException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("flaky.mp4") }));

        Assert.True(drop.Fired >= 3);
        Assert.True(e.IsTransient);
        Assert.StartsWith("bytes=", e.Range, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task APlaylistLoopUploadsEachFileOnce()
    {
        _origin.Put("loop/a.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nb.m3u8\n"u8.ToArray());
        _origin.Put("loop/b.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n"u8.ToArray());
        using var client = Client();

        var plan = await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaUrl = _origin.UrlOf("loop/a.m3u8") });

        Assert.Equal(["a.m3u8", "b.m3u8"], plan.Files.Select(f => f.Path[(f.Path.LastIndexOf('/') + 1)..]));
    }
}
