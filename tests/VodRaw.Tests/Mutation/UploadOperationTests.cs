using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using VodRaw.Checkpoints;
using VodRaw.Diagnostics;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Mutation;

/// <summary>
/// The upload operation's own decisions, one by one against the in-process emulator: the plan it works out, streams
/// and packages, what it makes of odd ApplyUpload and CommitUpload replies, the phases it reports, what a cancel or a
/// changed file leaves behind, and the activity it traces.
/// </summary>
public sealed class UploadOperationTests : IAsyncLifetime
{
    private const int PartSize = 1024 * 1024;
    private UploadHarness _h = null!;
    private string _checkpoints = null!;

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync();
        _checkpoints = Path.Combine(_h.TempDirectory, "state");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private CheckpointStore Store() => new(_checkpoints);

    private VodUploadClient Client(Action<VodUploadClientOptions>? configure = null) => _h.Client(o =>
    {
        o.ProgressInterval = TimeSpan.Zero;
        o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 1 };
        configure?.Invoke(o);
    });

    /// <summary>A media playlist with two segments in a sub-folder, optionally behind a UTF-8 byte-order mark.</summary>
    private string HlsPackage(bool byteOrderMark = false)
    {
        var folder = Path.Combine(_h.TempDirectory, "pkg");
        _h.File(Path.Combine("pkg", "seg", "a.ts"), 3000, seed: 4);
        _h.File(Path.Combine("pkg", "seg", "b.ts"), 2000, seed: 5);
        var manifest = Path.Combine(folder, "index.m3u8");
        var text = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nseg/a.ts\n#EXTINF:10,\nseg/b.ts\n#EXT-X-ENDLIST\n";
        File.WriteAllBytes(manifest, [.. byteOrderMark ? "\uFEFF"u8.ToArray() : [], .. Encoding.UTF8.GetBytes(text)]);
        return manifest;
    }

    [Fact]
    public async Task ThePlanListsTheMediaTheCoverAndEveryFileOfAPackageWithTheirSizes()
    {
        var (media, _) = _h.File("plan.mp4", 5000);
        var (cover, _) = _h.File("plan.jpg", 700);
        using var client = Client();

        var plain = await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverFilePath = cover });
        Assert.Equal([(PlannedFileRole.Media, media, 5000L), (PlannedFileRole.Cover, cover, 700L)], plain.Files.Select(f => (f.Role, f.Path, f.Length!.Value)));

        var manifest = HlsPackage();
        var package = await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest });
        Assert.Equal(PlannedFileRole.Media, package.Files[0].Role);
        Assert.Equal(
            [(PlannedFileRole.Segment, "seg/a.ts", 3000L), (PlannedFileRole.Segment, "seg/b.ts", 2000L)],
            package.Files.Skip(1).Select(f => (f.Role, f.RelativePath!, f.Length!.Value)));
    }

    [Fact]
    public async Task ADashManifestIsPlannedAsAPackage()
    {
        var manifest = ManifestFixture.Get("dash-template").Materialize(_h.TempDirectory);
        using var client = Client();
        var plan = await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest });
        Assert.Contains(plan.Files, f => f.Role == PlannedFileRole.Segment);
    }

    [Fact]
    public async Task AStreamIsPlannedFromItsPositionOrWithoutALengthWhenItCannotSeek()
    {
        using var client = Client();
        using var seekable = new MemoryStream(new byte[1000]) { Position = 100 };
        var plan = await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaStream = seekable, MediaType = "mp4" });
        var file = Assert.Single(plan.Files);
        Assert.Equal((PlannedFileRole.Media, "-", (long?)900), (file.Role, file.Path, file.Length));

        using var pipe = new NonSeekableStream(new byte[1000]);
        Assert.Null(Assert.Single((await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaStream = pipe, MediaType = "mp4" })).Files).Length);
    }

    [Fact]
    public async Task AFileWhoseOnlyPartIsTooBigToBufferIsRefusedBeforeAnyRequest()
    {
        var big = _h.SparseFile("big.mp4", 2100L * 1024 * 1024);
        using var client = Client(o => o.Transfer = new TransferOptions { PartSize = 3L << 30, Concurrency = 1 });
        var request = new VodUploadRequest { MediaFilePath = big };

        var planned = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.PlanAsync("ap-guangzhou", request));
        var uploaded = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.UploadAsync("ap-guangzhou", request));

        Assert.Contains("VodRaw buffers parts of at most", planned.Message, StringComparison.Ordinal);
        Assert.Contains("VodRaw buffers parts of at most", uploaded.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Emulator.Requests);
    }

    [Fact]
    public async Task AStreamIsUploadedFromItsPositionAndNeverCheckpointed()
    {
        var content = new byte[(3 * PartSize) + 500];
        new Random(6).NextBytes(content);
        using var stream = new MemoryStream(content) { Position = 500 };
        using var client = Client(o => o.Checkpoints = Store());

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaStream = stream, MediaType = "mp4" });

        Assert.Equal(content[500..], _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(content.Length - 500, response.BytesUploaded);
        Assert.Empty(Store().List());
        Assert.False(Directory.Exists(_checkpoints));
    }

    [Fact]
    public async Task AStreamOfUnknownLengthReportsNoTotalUntilItEnds()
    {
        var content = new byte[5000];
        new Random(7).NextBytes(content);
        var reports = new ConcurrentQueue<UploadProgress>();
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaStream = new NonSeekableStream(content), MediaType = "mp4" }, new InlineProgress(reports.Enqueue));

        Assert.Equal(-1, reports.First().TotalBytes);
        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
    }

    [Theory]
    [InlineData(ManifestDiscovery.Service)]
    [InlineData(ManifestDiscovery.Local)]
    public async Task APackagesFilesGoUnderTheMediasFolderWhicheverDiscoveryFindsThem(ManifestDiscovery discovery)
    {
        var manifest = HlsPackage(byteOrderMark: true);
        using var client = Client(o => o.ManifestDiscovery = discovery);

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest });

        var media = _h.MediaObject(response);
        var folder = media.Key[..(media.Key.LastIndexOf('/') + 1)];
        Assert.Equal(File.ReadAllBytes(Path.Combine(_h.TempDirectory, "pkg", "seg", "a.ts")), _h.Emulator.GetObject(media.Bucket, folder + "seg/a.ts")!.ReadAllBytes());
        Assert.NotNull(_h.Emulator.GetObject(media.Bucket, folder + "seg/b.ts"));
        var parsed = _h.Recorder.Requests.Where(r => r.Action == "ParseStreamingManifest").ToList();
        if (discovery == ManifestDiscovery.Service)
        {
            var body = JsonNode.Parse(Assert.Single(parsed).Body)!;
            Assert.StartsWith("#EXTM3U\n", body["MediaManifestContent"]!.GetValue<string>(), StringComparison.Ordinal); // sent without the byte-order mark
        }
        else
        {
            Assert.Empty(parsed);
        }
    }

    [Fact]
    public async Task APackageWhoseMediaPathHasNoFolderPutsItsFilesAtTheBucketsTop()
    {
        var manifest = HlsPackage();
        using var client = ClientEditing("ApplyUpload", r =>
        {
            r["MediaStoragePath"] = "index.m3u8";
            r.Remove("TempCertificate"); // the session's credential may only write inside its directory; the caller's key may write anywhere
        });

        // The emulator's session still expects its own path, so the commit fails; the keys the client chose are the point.
        await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest }));

        var bucket = _h.Emulator.Objects.Select(o => o.Bucket).Distinct().Single();
        Assert.NotNull(_h.Emulator.GetObject(bucket, "index.m3u8"));
        Assert.NotNull(_h.Emulator.GetObject(bucket, "seg/a.ts"));
        Assert.NotNull(_h.Emulator.GetObject(bucket, "seg/b.ts"));
    }

    [Fact]
    public async Task ProgressGoesThroughEveryPhaseWithTheTotalKnownFromTheStart()
    {
        var (media, content) = _h.File("phases.mp4", (2 * PartSize) + 10);
        var reports = new ConcurrentQueue<UploadProgress>();
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }, new InlineProgress(reports.Enqueue));

        Assert.Equal([UploadPhase.Applying, UploadPhase.Uploading, UploadPhase.Committing, UploadPhase.Completed], reports.Select(r => r.Phase).Distinct());
        Assert.All(reports, r => Assert.Equal(content.Length, r.TotalBytes));
        Assert.Equal(content.Length, response.BytesUploaded);
        Assert.Equal(0, response.BytesResumed);
    }

    [Fact]
    public async Task ACredentialProviderThatGivesNothingIsAnErrorBeforeAnyRequest()
    {
        var (media, _) = _h.File("nocred.mp4", 100);
        using var client = new VodUploadClient(new NullCredentialProvider(), _h.Options());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));
        Assert.Equal("The credential provider returned no credential.", error.Message);
        Assert.Empty(_h.Emulator.Requests);
    }

    [Fact]
    public async Task ASmallFilesCheckpointIsWrittenBeforeItsPutSoAFailedPutLeavesOne()
    {
        var (media, _) = _h.File("small.mp4", 1000);
        _h.Emulator.Faults.Fail(EmulatorOperation.PutObject, 400, "InvalidRequest", times: 100);
        using var client = Client(o => o.Checkpoints = Store());

        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));

        Assert.Equal(error.CheckpointId, Assert.Single(Store().List()).Id);
    }

    [Fact]
    public async Task AFileChangedDuringACheckpointedUploadAbortsItsUploadAndDropsTheCheckpoint()
    {
        var (media, _) = _h.File("changes.mp4", (3 * PartSize) + 10);
        var changed = 0;
        var progress = new InlineProgress(p =>
        {
            if (p.PartsCompleted >= 1 && Interlocked.Exchange(ref changed, 1) == 0)
            {
                File.SetLastWriteTimeUtc(media, DateTime.UtcNow.AddMinutes(5));
            }
        });
        using var client = Client(o => o.Checkpoints = Store());

        await Assert.ThrowsAsync<FileChangedException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }, progress));

        Assert.Equal(1, changed);
        Assert.Single(_h.Emulator.AbortedUploads);
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.Empty(Store().List());
    }

    [Fact]
    public async Task ACommitRefusedWithItsReplyInHandIsAnOrdinaryFailure()
    {
        var (media, _) = _h.File("refused.mp4", 1000);
        _h.Emulator.Faults.Fail(EmulatorOperation.CommitUpload, 200, "InvalidParameterValue.Procedure", times: 100);
        using var client = Client();

        var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));

        Assert.Equal("InvalidParameterValue.Procedure", error.Code);
        Assert.Equal(1, _h.Emulator.Attempts(EmulatorOperation.CommitUpload));
    }

    [Fact]
    public async Task ACommitWhoseRepliesAreAllLostSaysSo()
    {
        var (media, _) = _h.File("lost.mp4", 1000);
        _h.Emulator.Faults.LoseReply(EmulatorOperation.CommitUpload, times: 10);
        using var client = Client();

        var error = await Assert.ThrowsAsync<CommitOutcomeUnknownException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));

        Assert.StartsWith("CommitUpload's outcome is unknown (CommitUpload's reply was lost: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACancelDuringTheCommitNamesWhereTheMediaMayBeAndAPauseDoesNot()
    {
        var (media, _) = _h.File("ctx.mp4", (2 * PartSize) + 10);
        var request = new VodUploadRequest { MediaFilePath = media, SessionContext = "job-42" };
        _h.Emulator.Faults.DelayReply(EmulatorOperation.CommitUpload, TimeSpan.FromSeconds(30));
        using (var cts = new CancellationTokenSource())
        {
            using var client = Client(o => o.Checkpoints = Store());
            var upload = client.UploadAsync("ap-guangzhou", request, cts.Token);
            while (_h.Emulator.Faults.Rules.Single().Fired == 0)
            {
                Assert.False(upload.IsCompleted);
                await Task.Delay(5);
            }

            await cts.CancelAsync();
            var inCommit = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);
            Assert.Equal(UploadInterruption.CommitMayHaveApplied, inCommit.Outcome);
            Assert.Equal("job-42", inCommit.SessionContext);
            Assert.StartsWith("/", inCommit.MediaStoragePath, StringComparison.Ordinal);
        }

        // A pause before the commit: nothing may be in VOD, so nothing says where to look.
        var (other, _) = _h.File("ctx2.mp4", (2 * PartSize) + 10);
        _h.Emulator.Faults.Clear();
        _h.Emulator.Faults.DelayReply(EmulatorOperation.UploadPart, TimeSpan.FromSeconds(30));
        using (var cts = new CancellationTokenSource())
        {
            using var client = Client(o => o.Checkpoints = Store());
            var upload = client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = other, SessionContext = "job-43" }, cts.Token);
            while (_h.Emulator.Faults.Rules.Single().Fired == 0)
            {
                Assert.False(upload.IsCompleted);
                await Task.Delay(5);
            }

            await cts.CancelAsync();
            var paused = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);
            Assert.Equal(UploadInterruption.Paused, paused.Outcome);
            Assert.Null(paused.SessionContext);
            Assert.Null(paused.MediaStoragePath);
        }
    }

    [Fact]
    public async Task AnApplyUploadReplyWithoutItsBucketOrRegionIsAnInvalidResponse()
    {
        var (media, _) = _h.File("apply.mp4", 100);
        foreach (var field in new[] { "StorageBucket", "StorageRegion" })
        {
            using var client = ClientEditing("ApplyUpload", r => r.Remove(field));
            var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));
            Assert.Equal(VodRawErrorCodes.InvalidResponse, error.Code);
            Assert.Equal("ApplyUpload failed: InvalidResponse: ApplyUpload returned no storage bucket, region or session key.", error.Message);
            Assert.False(string.IsNullOrEmpty(error.RequestId));
        }
    }

    [Fact]
    public async Task AnApplyUploadReplyWithoutAStoragePathNamesTheMissingField()
    {
        var (media, _) = _h.File("paths.mp4", 100);
        var (cover, _) = _h.File("paths.jpg", 100);
        using (var client = ClientEditing("ApplyUpload", r => r.Remove("MediaStoragePath")))
        {
            var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));
            Assert.Equal("ApplyUpload failed: InvalidResponse: ApplyUpload returned no MediaStoragePath.", error.Message);
        }

        using (var client = ClientEditing("ApplyUpload", r => r.Remove("CoverStoragePath")))
        {
            var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverFilePath = cover }));
            Assert.Equal("ApplyUpload failed: InvalidResponse: ApplyUpload returned no CoverStoragePath.", error.Message);
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("no-secret-key")]
    [InlineData("no-expiry")]
    public async Task ATemporaryCredentialThatIsMissingIncompleteOrWithoutExpiryStillCarriesTheUpload(string variant)
    {
        var (media, content) = _h.File("temp.mp4", (2 * PartSize) + 10);
        using var client = ClientEditing("ApplyUpload", r =>
        {
            switch (variant)
            {
                case "none":
                    r.Remove("TempCertificate"); // the caller's own key signs for COS
                    break;
                case "no-secret-key":
                    r["TempCertificate"]!["SecretKey"] = string.Empty; // unusable: the caller's own key signs for COS
                    break;
                default:
                    r["TempCertificate"]!["ExpiredTime"] = 0; // no expiry: never refused as expired
                    break;
            }
        });

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });

        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task ACommitReplyWithoutAFileIdIsAnInvalidResponseWithItsRequestId()
    {
        var (media, _) = _h.File("nofileid.mp4", 100);
        using var client = ClientEditing("CommitUpload", r => r.Remove("FileId"));

        var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));

        Assert.Equal(VodRawErrorCodes.InvalidResponse, error.Code);
        Assert.Equal("CommitUpload failed: InvalidResponse: CommitUpload returned no FileId.", error.Message);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
    }

    [Fact]
    public async Task ACommitReplyWithoutUrlsOrRequestIdGivesEmptyValuesNotMadeUpOnes()
    {
        var (media, _) = _h.File("nourl.mp4", 100);
        using var client = ClientEditing("CommitUpload", r =>
        {
            r.Remove("MediaUrl");
            r["CoverUrl"] = string.Empty;
            r.Remove("RequestId");
        });

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });

        Assert.Equal(string.Empty, response.MediaUrl);
        Assert.Null(response.CoverUrl);
        Assert.Equal(string.Empty, response.RequestId);
    }

    [Fact]
    public async Task TheCommitsUrlsAndRequestIdAreReturned()
    {
        var (media, _) = _h.File("urls.mp4", 100);
        var (cover, _) = _h.File("urls.jpg", 100);
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverFilePath = cover });

        var committed = _h.Emulator.CommittedMedia.Single();
        Assert.Equal(committed.MediaUrl, response.MediaUrl);
        Assert.Equal(committed.CoverUrl, response.CoverUrl);
        Assert.False(string.IsNullOrEmpty(response.CoverUrl));
        Assert.False(string.IsNullOrEmpty(response.RequestId));
    }

    [Fact]
    public async Task TheUploadIsTracedAsOneActivityWithItsFilesAndTheirRoles()
    {
        var (media, content) = _h.File("traced.mp4", (2 * PartSize) + 10);
        var (cover, coverContent) = _h.File("traced.jpg", 300);
        using var activities = new ActivityRecorder();
        using var client = Client();

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverFilePath = cover });

        var upload = Assert.Single(UploadsTracedHere(activities), a => Equals(a.GetTagItem("vodraw.file_id"), response.FileId));
        Assert.Equal("ap-guangzhou", upload.GetTagItem("vodraw.region"));
        Assert.Equal(2, upload.GetTagItem("vodraw.files"));
        Assert.Equal((long)content.Length + coverContent.Length, upload.GetTagItem("vodraw.total_bytes"));
        Assert.Equal(response.BytesUploaded, upload.GetTagItem("vodraw.bytes"));
        Assert.NotNull(upload.GetTagItem("vodraw.parts_in_flight"));
        var roles = activities.Stopped.Where(a => a.TraceId == upload.TraceId && a.GetTagItem("vodraw.file_role") is not null)
            .Select(a => (string)a.GetTagItem("vodraw.file_role")!).ToHashSet();
        Assert.Equal(["cover", "media"], roles.Order());
    }

    [Fact]
    public async Task APackagesFilesAreTracedAsSegmentsAndAFailedUploadAsAnError()
    {
        var manifest = HlsPackage();
        using var activities = new ActivityRecorder();
        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest });
        var upload = Assert.Single(UploadsTracedHere(activities), a => Equals(a.GetTagItem("vodraw.file_id"), response.FileId));
        Assert.Contains(activities.Stopped, a => a.TraceId == upload.TraceId && Equals(a.GetTagItem("vodraw.file_role"), "segment"));

        var (media, _) = _h.File("fails.mp4", 100);
        _h.Emulator.Faults.Fail(EmulatorOperation.PutObject, 400, "InvalidRequest", times: 100);
        await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));
        var failed = Assert.Single(UploadsTracedHere(activities), a => a.TraceId != upload.TraceId);
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("InvalidRequest", failed.GetTagItem("error.type"));
    }

    [Fact]
    public async Task AFilesPartsAreStreamedFromDiskSoMoreOfThemFitInTheMemoryBudgetThanAStreams()
    {
        const long BigParts = 8L * 1024 * 1024;
        var (media, _) = _h.File("ceiling.mp4", 1000);
        var ceilings = new ConcurrentQueue<int>();
        using var client = Client(o => o.Transfer = new TransferOptions { PartSize = BigParts }); // no fixed concurrency: the budget decides
        client.BufferPoolFactory = (ceiling, _) =>
        {
            ceilings.Enqueue(ceiling);
            return _h.Pool;
        };

        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });
        using var stream = new MemoryStream(new byte[1000]);
        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaStream = stream, MediaType = "mp4" });

        // A streamed part holds one chunk in memory, a stream's part all of it.
        Assert.Equal([TransferOptions.MaxConcurrency, (int)(TransferOptions.DefaultMemoryBudget / BigParts)], ceilings);
    }

    [Fact]
    public async Task TheUploadIsLoggedWithItsRegionFilesBytesAndMediaName()
    {
        var (media, content) = _h.File("logged-" + Guid.NewGuid().ToString("N") + ".mp4", 3000);
        var (cover, coverContent) = _h.File("logged.jpg", 200);
        using var events = new UploadStartedEvents();
        using var client = Client();

        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverFilePath = cover });
        using var stream = new MemoryStream(new byte[10]);
        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaStream = stream, MediaType = "mp4", MediaName = Path.GetFileName(media) });

        var started = Assert.Single(events.Payloads, p => Equals(p[3], Path.GetFileName(media)));
        Assert.Equal(["ap-guangzhou", 2, (long)(content.Length + coverContent.Length), Path.GetFileName(media), $"{content.Length + coverContent.Length} bytes"], started);
        Assert.Contains(events.Payloads, p => Equals(p[3], "(stream)") && Equals(p[2], 10L));
    }

    /// <summary>The upload activities of this test's emulator (tests in other classes upload at the same time).</summary>
    private List<Activity> UploadsTracedHere(ActivityRecorder activities)
    {
        var ports = new object[] { _h.Emulator.VodEndpoint.Port, _h.Emulator.CosEndpoint.Port };
        var here = activities.Stopped.Where(a => ports.Contains(a.GetTagItem("server.port"))).Select(a => a.TraceId).ToHashSet();
        return [.. activities.Stopped.Where(a => a.OperationName == VodRawTelemetry.UploadActivityName && here.Contains(a.TraceId))];
    }

    /// <summary>A client whose replies to <paramref name="action"/> are edited (their <c>Response</c> object) on the way in.</summary>
    private VodUploadClient ClientEditing(string action, Action<JsonObject> edit) => Client(o => o.HttpHandler = new ReplyEditor(action, edit));

    private sealed class ReplyEditor(string action, Action<JsonObject> edit) : DelegatingHandler(new SocketsHttpHandler { UseProxy = false })
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!request.Headers.TryGetValues("X-TC-Action", out var actions) || actions.Single() != action)
            {
                return response;
            }

            var root = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
            edit(root["Response"]!.AsObject());
            response.Content = new StringContent(root.ToJsonString(), Encoding.UTF8, "application/json");
            return response;
        }
    }

    private sealed class NullCredentialProvider : IVodCredentialProvider
    {
        public ValueTask<VodCredential> GetCredentialAsync(CancellationToken cancellationToken) => ValueTask.FromResult<VodCredential>(null!);
    }

    /// <summary>A stream that can only be read forward: its length is unknown to the uploader.</summary>
    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }

    /// <summary>The payloads of VodRaw's UploadStarted events written while it is alive (other tests' too).</summary>
    private sealed class UploadStartedEvents : System.Diagnostics.Tracing.EventListener
    {
        public ConcurrentQueue<object?[]> Payloads { get; } = new();

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
        {
            if (eventSource.Name == VodRawTelemetry.Name)
            {
                EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Informational);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
        {
            if (eventData.EventName == "UploadStarted" && eventData.Payload is { } payload)
            {
                Payloads.Enqueue([.. payload]);
            }
        }
    }

    /// <summary>Records every VodRaw activity that stops while it is alive (other tests' too: filter by trace).</summary>
    private sealed class ActivityRecorder : IDisposable
    {
        private readonly ActivityListener _listener;

        public ActivityRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == VodRawTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public ConcurrentQueue<Activity> Stopped { get; } = new();

        public void Dispose() => _listener.Dispose();
    }
}
