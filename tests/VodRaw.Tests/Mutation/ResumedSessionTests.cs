using System.Collections.Concurrent;
using VodRaw.Checkpoints;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Mutation;

/// <summary>
/// Resuming from each state a crash can leave a checkpoint in, against the in-process emulator: a file stored or not
/// started, an UploadId never recorded, an upload COS completed or forgot, a checkpoint that is not this upload's, a
/// credential about to expire, a committed result. The first run fails for good at a chosen part (one part in flight
/// at a time, so what COS holds is known); each test checks what the next run sent, said and recorded.
/// </summary>
public sealed class ResumedSessionTests : IAsyncLifetime
{
    private const int PartSize = 1024 * 1024;
    private UploadHarness _h = null!;
    private string _media = null!;
    private byte[] _content = null!;
    private string _cover = null!;
    private byte[] _coverContent = null!;
    private string _checkpoints = null!;
    private readonly ConcurrentQueue<CheckpointNotice> _notices = new();

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync();
        (_media, _content) = _h.File("clip.mp4", (6 * PartSize) + 123); // 7 parts
        (_cover, _coverContent) = _h.File("cover.jpg", 1000, seed: 2);
        _checkpoints = Path.Combine(_h.TempDirectory, "state");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private CheckpointStore Store(bool keepCommitted = false, bool replaceCommitted = false) =>
        new(_checkpoints) { Notice = _notices.Enqueue, KeepCommitted = keepCommitted, ReplaceCommitted = replaceCommitted };

    private VodUploadClient Client(Action<VodUploadClientOptions>? configure = null, bool keepCommitted = false, bool replaceCommitted = false) => _h.Client(o =>
    {
        o.Checkpoints = Store(keepCommitted, replaceCommitted);
        o.ProgressInterval = TimeSpan.Zero;
        o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 1 };
        configure?.Invoke(o);
    });

    private VodUploadRequest Request(bool withCover = false) => new() { MediaFilePath = _media, CoverFilePath = withCover ? _cover : null };

    private string CheckpointPath(string id) => Path.Combine(_checkpoints, id + ".checkpoint");

    private CheckpointDocument Checkpoint(string id)
    {
        var (document, problem) = CheckpointCodec.Decode(File.ReadAllBytes(CheckpointPath(id)));
        Assert.Null(problem);
        return document!;
    }

    private void EditCheckpoint(string id, Action<CheckpointDocument> edit)
    {
        var document = Checkpoint(id);
        edit(document);
        File.WriteAllBytes(CheckpointPath(id), CheckpointCodec.Encode(document));
    }

    /// <summary>Runs the upload with media part <paramref name="part"/> refused for good; returns its checkpoint id. Faults, requests and notices are cleared.</summary>
    private async Task<string> FailAtPartAsync(int part, bool withCover = false)
    {
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", partNumber: part, times: 100);
        string id;
        using (var client = Client())
        {
            var failed = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", Request(withCover)));
            id = failed.CheckpointId!;
            Assert.NotNull(id);
        }

        ResetEmulator();
        return id;
    }

    private void ResetEmulator()
    {
        _h.Emulator.Faults.Clear();
        _h.Emulator.ClearRequests();
        _notices.Clear();
    }

    private int Sent(EmulatorOperation operation) => _h.Emulator.Attempts(operation);

    private string PendingUploadId() => Assert.Single(_h.Emulator.Store.Uploads).UploadId;

    [Fact]
    public async Task AFailedRunRecordsEveryPartCosConfirmedBeforeItFailed()
    {
        var id = await FailAtPartAsync(5);

        // Parts 1-4 were confirmed within a second: only the write on failure can have recorded them.
        Assert.Equal([1, 2, 3, 4], Checkpoint(id).Files[0].Parts.Select(p => p.Number).Order());
        Assert.Equal(4, Assert.Single(_h.Emulator.Store.Uploads).Parts.Count);
        Assert.Equal(ServiceEndpoint.Normalize(_h.Emulator.VodEndpoint) + " " + ServiceEndpoint.NormalizeTemplate(_h.Emulator.CosEndpoint + "{bucket}"), Checkpoint(id).Service);
    }

    [Fact]
    public async Task TheResumingNoticeCountsWhatCosHoldsAndWhatGoesUp()
    {
        await FailAtPartAsync(5);

        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request());

        var notice = Assert.Single(_notices, n => n.Kind == CheckpointNoticeKind.Resuming);
        Assert.Equal((4, 7, 4L * PartSize), (notice.PartsDone, notice.PartsTotal, notice.Bytes));
        Assert.Equal($"resuming: COS holds 4 of 7 parts (0 of 1 files complete); {_content.Length - (4L * PartSize)} bytes go up.", notice.Message);
        Assert.Equal(4L * PartSize, response.BytesResumed);
        Assert.Equal(_content.Length - (4L * PartSize), response.BytesUploaded);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AFileStoredBeforeTheCrashIsNotSentAgainAndASmallOneNotStoredIsSimplyPutAgain()
    {
        // The media is stored (its multipart upload completed); the cover's PUT is refused for good.
        _h.Emulator.Faults.Fail(EmulatorOperation.PutObject, 400, "InvalidRequest", times: 100);
        string id;
        using (var first = Client())
        {
            id = (await Assert.ThrowsAsync<CosException>(() => first.UploadAsync("ap-guangzhou", Request(withCover: true)))).CheckpointId!;
        }

        Assert.True(Checkpoint(id).Files[0].Complete);
        ResetEmulator();

        var reports = new ConcurrentQueue<UploadProgress>();
        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request(withCover: true), new InlineProgress(reports.Enqueue));

        Assert.Equal(0, Sent(EmulatorOperation.UploadPart));
        Assert.Equal(0, Sent(EmulatorOperation.CompleteMultipartUpload));
        Assert.Equal(1, Sent(EmulatorOperation.PutObject));
        Assert.Equal(0, Sent(EmulatorOperation.ListMultipartUploads)); // a PUT leaves no upload to look for
        Assert.Equal(_content.Length, response.BytesResumed);
        Assert.Equal(_coverContent.Length, response.BytesUploaded);
        var last = reports.Last();
        Assert.Equal(UploadPhase.Completed, last.Phase);
        Assert.Equal((2, 2), (last.FilesCompleted, last.FilesTotal));
        Assert.Equal((_content.Length + (long)_coverContent.Length, _content.Length + (long)_coverContent.Length), (last.BytesUploaded, last.TotalBytes));
        Assert.Contains(reports, r => r.Phase == UploadPhase.Uploading && r.BytesUploaded >= _content.Length);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(_coverContent, _h.Emulator.Objects.Single(o => o.Key.EndsWith(".jpg", StringComparison.Ordinal)).ReadAllBytes());
    }

    [Fact]
    public async Task AnUploadIdNeverRecordedIsFoundAndAbortedAndTheFileStartsOver()
    {
        var id = await FailAtPartAsync(3);
        var stray = PendingUploadId();
        EditCheckpoint(id, d =>
        {
            d.Files[0].UploadId = null; // the crash came between InitiateMultipartUpload and its record
            d.Files[0].Parts.Clear();
        });

        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request());

        Assert.Contains(stray, _h.Emulator.AbortedUploads);
        Assert.Empty(response.OpenUploads);
        Assert.Equal(0, response.BytesResumed);
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AnUnrecordedUploadThatCannotBeAbortedIsNamedBesideTheResult()
    {
        var id = await FailAtPartAsync(3);
        var stray = PendingUploadId();
        EditCheckpoint(id, d =>
        {
            d.Files[0].UploadId = null;
            d.Files[0].Parts.Clear();
        });
        _h.Emulator.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 403, "AccessDenied", times: 100);

        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request());

        var open = Assert.Single(response.OpenUploads);
        Assert.Equal(stray, open.UploadId);
        Assert.Contains("left by an interrupted run before its UploadId was recorded", open.Reason, StringComparison.Ordinal);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AnUploadCosCompletedBeforeTheCrashIsFoundByHeadRecordedAndCommitted()
    {
        _h.Emulator.Faults.Fail(EmulatorOperation.CompleteMultipartUpload, 403, "AccessDenied", times: 100);
        string id;
        using (var first = Client())
        {
            id = (await Assert.ThrowsAsync<CosException>(() => first.UploadAsync("ap-guangzhou", Request()))).CheckpointId!;
        }

        // COS applied the Complete after all; the checkpoint still names the upload.
        var upload = Assert.Single(_h.Emulator.Store.Uploads);
        await _h.Emulator.Store.CompleteAsync(upload, [.. upload.Parts.Values.OrderBy(p => p.PartNumber)], CancellationToken.None);
        ResetEmulator();

        // The commit is refused this time: the checkpoint written on failure shows what the resume found.
        _h.Emulator.Faults.Fail(EmulatorOperation.CommitUpload, 200, "InvalidParameterValue.Procedure", times: 100);
        using (var second = Client())
        {
            await Assert.ThrowsAnyAsync<VodRawException>(() => second.UploadAsync("ap-guangzhou", Request()));
        }

        Assert.Equal(1, Sent(EmulatorOperation.HeadObject));
        Assert.Equal(0, Sent(EmulatorOperation.UploadPart));
        Assert.Equal(0, Sent(EmulatorOperation.CompleteMultipartUpload));
        var media = Checkpoint(id).Files[0];
        Assert.True(media.Complete);
        Assert.Null(media.UploadId);

        ResetEmulator();
        using var third = Client();
        var response = await third.UploadAsync("ap-guangzhou", Request());
        Assert.Equal(0, Sent(EmulatorOperation.UploadPart));
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AnUploadCosForgotIsRecordedAsRestartedAndTheFileStartsOver()
    {
        var id = await FailAtPartAsync(3);
        EditCheckpoint(id, d => d.Files[0].UploadId = "gone"); // an upload COS no longer knows, and no object stored

        _h.Emulator.Faults.Fail(EmulatorOperation.InitiateMultipartUpload, 400, "InvalidRequest", times: 100); // refused, not a credential: no fresh start
        using (var second = Client())
        {
            await Assert.ThrowsAsync<CosException>(() => second.UploadAsync("ap-guangzhou", Request()));
        }

        Assert.Equal(1, Sent(EmulatorOperation.HeadObject));
        var media = Checkpoint(id).Files[0];
        Assert.Null(media.UploadId);
        Assert.Empty(media.Parts);

        ResetEmulator();
        using var third = Client();
        var response = await third.UploadAsync("ap-guangzhou", Request());
        Assert.Equal(0, response.BytesResumed);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task TheResumeRecordsWhatCosHoldsNotWhatTheCheckpointClaimed()
    {
        var id = await FailAtPartAsync(4);
        var held = Assert.Single(_h.Emulator.Store.Uploads).Parts[1].ETag;
        EditCheckpoint(id, d => d.Files[0].Parts.Single(p => p.Number == 1).ETag = "\"0123456789abcdef0123456789abcdef\"");

        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 400, "BadDigest", times: 100); // refused, not a credential: no fresh start
        using (var second = Client())
        {
            await Assert.ThrowsAsync<CosException>(() => second.UploadAsync("ap-guangzhou", Request()));
        }

        var parts = Checkpoint(id).Files[0].Parts;
        Assert.Equal([1, 2, 3], parts.Select(p => p.Number).Order());
        Assert.Equal(held, parts.Single(p => p.Number == 1).ETag); // the local bytes hash to COS's ETag
    }

    [Fact]
    public async Task APackagesSegmentIsReconciledFromItsOwnFileOpenedForTheResume()
    {
        // A playlist and one segment of three parts; the segment's part 2 is refused for good.
        var folder = Path.Combine(_h.TempDirectory, "pkg");
        var (_, segment) = _h.File(Path.Combine("pkg", "a.ts"), (2 * PartSize) + 77, seed: 8);
        var manifest = Path.Combine(folder, "index.m3u8");
        File.WriteAllText(manifest, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\na.ts\n#EXT-X-ENDLIST\n");
        var request = new VodUploadRequest { MediaFilePath = manifest };
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 400, "BadDigest", partNumber: 2, times: 100);
        string id;
        using (var first = Client(o => o.ManifestDiscovery = ManifestDiscovery.Local))
        {
            id = (await Assert.ThrowsAsync<CosException>(() => first.UploadAsync("ap-guangzhou", request))).CheckpointId!;
        }

        ResetEmulator();
        EditCheckpoint(id, d => d.Files[1].Parts.Clear()); // part 1 confirmed after the last write: only the local bytes can vouch for it

        using var second = Client(o => o.ManifestDiscovery = ManifestDiscovery.Local);
        var response = await second.UploadAsync("ap-guangzhou", request);

        Assert.Equal(PartSize, response.BytesResumed - new FileInfo(manifest).Length);
        Assert.Equal(2, Sent(EmulatorOperation.UploadPart));
        var media = _h.MediaObject(response);
        Assert.Equal(segment, _h.Emulator.GetObject(media.Bucket, media.Key[..(media.Key.LastIndexOf('/') + 1)] + "a.ts")!.ReadAllBytes());
    }

    [Fact]
    public async Task ACheckpointOfAnotherRequestIsSetAsideAndTheUploadStartsFresh()
    {
        var id = await FailAtPartAsync(3);
        EditCheckpoint(id, d => d.Request = "{\"MediaType\":\"other\"}");

        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request());

        var notice = Assert.Single(_notices);
        Assert.Equal(CheckpointNoticeKind.SetAside, notice.Kind);
        Assert.Contains("(it describes a different request or other files)", notice.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_checkpoints, id + ".damaged")));
        Assert.Equal(1, Sent(EmulatorOperation.ApplyUpload));
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task ACheckpointWhoseCredentialDoesNotDecryptIsSetAside()
    {
        var id = await FailAtPartAsync(3);
        EditCheckpoint(id, d => d.Session.Credential!.Sealed = Convert.ToBase64String(new byte[64]));

        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request());

        var notice = Assert.Single(_notices);
        Assert.Equal(CheckpointNoticeKind.SetAside, notice.Kind);
        Assert.Contains("(its credential does not decrypt with this SecretKey)", notice.Message, StringComparison.Ordinal);
        Assert.Equal(1, Sent(EmulatorOperation.ApplyUpload));
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AResumeAfterACommitWasSentAsksVodAgainAndSaysTheOutcomeIsUnknownWhenItIsRefused()
    {
        var id = await FailAtPartAsync(3);
        EditCheckpoint(id, d => d.CommitSent = true); // the media is not all there: VOD refuses this commit

        using var client = Client();
        var error = await Assert.ThrowsAsync<CommitOutcomeUnknownException>(() => client.UploadAsync("ap-guangzhou", Request()));

        Assert.Contains("(an earlier run sent CommitUpload and got no reply: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(id, error.CheckpointId);
        var notice = Assert.Single(_notices);
        Assert.Equal(CheckpointNoticeKind.Resuming, notice.Kind);
        Assert.Equal("an earlier run sent CommitUpload for this upload and got no answer; asking VOD again with the same session.", notice.Message);
        Assert.Equal(0, Sent(EmulatorOperation.UploadPart));
        Assert.Equal(0, Sent(EmulatorOperation.ApplyUpload));
    }

    [Fact]
    public async Task ACredentialWithinTheExpiryMarginIsNotUsedAndItsUploadIsLeftToLifecycleRules()
    {
        await FailAtPartAsync(3);
        var old = PendingUploadId();

        // The emulator's temporary credentials last an hour: a two-hour margin puts this one past it already.
        using var client = Client(o => o.CredentialExpiryMargin = TimeSpan.FromHours(2));
        var error = await Assert.ThrowsAnyAsync<VodRawException>(() => client.UploadAsync("ap-guangzhou", Request()));
        Assert.IsType<CredentialExpiredException>(error); // the fresh session's credential is inside the margin too

        var notice = Assert.Single(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh);
        Assert.StartsWith("the interrupted upload cannot be finished: the interrupted upload's temporary credential expired at ", notice.Message, StringComparison.Ordinal);
        Assert.Contains("bytes go up again. A multipart upload is left open: ", notice.Message, StringComparison.Ordinal);
        Assert.Contains(old, notice.Message, StringComparison.Ordinal);
        Assert.Equal(0, Sent(EmulatorOperation.ListParts));
        Assert.Equal(0, Sent(EmulatorOperation.AbortMultipartUpload)); // an expired credential cannot sign the abort
        Assert.Contains(old, error.OpenUploads.Select(u => u.UploadId));
        Assert.Contains("COS's lifecycle rules remove it", error.OpenUploads.Single(u => u.UploadId == old).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACredentialWithoutAnExpiryIsNeverTakenForExpired()
    {
        var id = await FailAtPartAsync(3);
        EditCheckpoint(id, d => d.Session.Credential!.ExpiresAt = 0);

        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request());

        Assert.Contains(_notices, n => n.Kind == CheckpointNoticeKind.Resuming);
        Assert.Equal(2L * PartSize, response.BytesResumed);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AnAbandonedCheckpointIsDeletedEvenWhenTheFreshUploadFailsAtOnce()
    {
        await FailAtPartAsync(7, withCover: true);
        _h.Emulator.Faults.Fail(EmulatorOperation.ApplyUpload, 200, "InvalidParameterValue.Procedure", times: 100);

        using var client = Client(o => o.CredentialExpiryMargin = TimeSpan.FromHours(2));
        var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", Request(withCover: true)));

        Assert.Empty(Store().List());
        var notice = Assert.Single(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh);
        Assert.Equal(_content.Length + (long)_coverContent.Length, notice.Bytes); // every file goes up again
        Assert.Contains($"all {_content.Length + _coverContent.Length} bytes go up again.", notice.Message, StringComparison.Ordinal);
        Assert.Contains(error.OpenUploads, u => u.Reason.Contains("lifecycle", StringComparison.Ordinal)); // named on the failure too
    }

    [Fact]
    public async Task AFileChangedSinceTheCrashAbortsTheOldUploadAndTheNoticeNamesNothingLeftOpen()
    {
        await FailAtPartAsync(3);
        var changed = _content.ToArray();
        changed[^1] ^= 0xFF;
        File.WriteAllBytes(_media, changed);

        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request());

        var notice = Assert.Single(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh);
        Assert.EndsWith($"starting a fresh upload, all {changed.Length} bytes go up again.", notice.Message, StringComparison.Ordinal);
        Assert.Empty(response.OpenUploads);
        Assert.Equal(changed, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AResumedSessionWhoseCredentialCosRefusesMidTransferIsAbandonedAndTheUploadStartsFresh()
    {
        await FailAtPartAsync(3);
        var old = PendingUploadId();
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "InvalidAccessKeyId", times: 1); // the resumed session's first part

        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request());

        var notice = Assert.Single(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh);
        Assert.Contains("cannot be finished: COS refuses the interrupted upload's temporary credential (InvalidAccessKeyId); starting a fresh upload", notice.Message, StringComparison.Ordinal);
        Assert.Equal(1, Sent(EmulatorOperation.ApplyUpload));
        Assert.Contains(old, _h.Emulator.AbortedUploads); // a refused credential may still abort: it was tried, and worked
        Assert.Empty(response.OpenUploads);
        Assert.Equal(0, response.BytesResumed);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task UploadsOtherSessionsLeftOpenAreNamedOnTheFailureThatFollows()
    {
        await FailAtPartAsync(3);
        var stale = PendingUploadId();
        _h.Emulator.Faults.Fail(EmulatorOperation.ListParts, 403, "AccessDenied", times: 100);
        _h.Emulator.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 403, "AccessDenied", times: 100);
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 400, "BadDigest", times: 100);

        using (var client = Client())
        {
            var withCheckpoint = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", Request()));
            Assert.NotNull(withCheckpoint.CheckpointId);
            Assert.Contains(withCheckpoint.OpenUploads, u => u.UploadId == stale && u.Reason.Contains("abandoned checkpoint's upload; abort failed", StringComparison.Ordinal));
        }

        // Again, now with ApplyUpload refused: the failure has no session and no checkpoint, and still names both stale uploads.
        var staleToo = _h.Emulator.Store.Uploads.Select(u => u.UploadId).Single(u => u != stale);
        _h.Emulator.Faults.Fail(EmulatorOperation.ApplyUpload, 200, "InvalidParameterValue.Procedure", times: 100);
        using var again = Client();
        var withoutSession = await Assert.ThrowsAsync<VodApiException>(() => again.UploadAsync("ap-guangzhou", Request()));
        Assert.Null(withoutSession.CheckpointId);
        Assert.Contains(withoutSession.OpenUploads, u => u.UploadId == staleToo);
    }

    [Fact]
    public async Task ACancelWhileCosIsAskedWhatItHoldsEndsTheResumeAtOnce()
    {
        await FailAtPartAsync(3);
        _h.Emulator.Faults.DelayReply(EmulatorOperation.ListParts, TimeSpan.FromSeconds(60));
        using var cts = new CancellationTokenSource();
        using var client = Client();
        var upload = client.UploadAsync("ap-guangzhou", Request(), cts.Token);
        while (_h.Emulator.Faults.Rules.Single().Fired == 0)
        {
            Assert.False(upload.IsCompleted);
            await Task.Delay(5);
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, Sent(EmulatorOperation.UploadPart));
    }

    [Fact]
    public async Task AResultRecordedByAnEarlierRunIsReturnedWithItsRequestIdAndFullProgress()
    {
        using (var first = Client(keepCommitted: true))
        {
            var committed = await first.UploadAsync("ap-guangzhou", Request());
            ResetEmulator();

            var reports = new ConcurrentQueue<UploadProgress>();
            using var second = Client(keepCommitted: true);
            var again = await second.UploadAsync("ap-guangzhou", Request(), new InlineProgress(reports.Enqueue));

            Assert.True(again.AlreadyCommitted);
            Assert.Equal(committed.FileId, again.FileId);
            Assert.False(string.IsNullOrEmpty(committed.RequestId));
            Assert.Equal(committed.RequestId, again.RequestId);
            Assert.Equal(committed.CheckpointId, again.CheckpointId);
            Assert.Empty(_h.Emulator.Requests);
            var last = reports.Last();
            Assert.Equal(UploadPhase.Completed, last.Phase);
            Assert.Equal((long)_content.Length, last.BytesUploaded);
            Assert.Equal((long)_content.Length, last.TotalBytes);
        }

        // A record without a RequestId (an older run's) answers with an empty one, never a made-up value.
        EditCheckpoint(Store().List().Single().Id, d => d.Committed!.RequestId = null);
        using var third = Client(keepCommitted: true);
        Assert.Equal(string.Empty, (await third.UploadAsync("ap-guangzhou", Request())).RequestId);
    }

    [Fact]
    public async Task ACommittedResultIsKeptAsTheCheckpointAndItsIdReturned()
    {
        using var client = Client(keepCommitted: true);
        var response = await client.UploadAsync("ap-guangzhou", Request());

        var kept = Assert.Single(Store().List());
        Assert.Equal(kept.Id, response.CheckpointId);
        Assert.Equal(response.FileId, kept.CommittedFileId);

        using var plain = Client();
        var (other, _) = _h.File("other.mp4", 5000, seed: 3);
        var notKept = await plain.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = other });
        Assert.Null(notKept.CheckpointId);
    }

    [Fact]
    public async Task AFileChangedSinceItWasCommittedIsUploadedAgainAsNewMedia()
    {
        using var client = Client(keepCommitted: true);
        var first = await client.UploadAsync("ap-guangzhou", Request());
        var changed = _content.ToArray();
        changed[0] ^= 0xFF;
        File.WriteAllBytes(_media, changed);

        var second = await client.UploadAsync("ap-guangzhou", Request());

        Assert.False(second.AlreadyCommitted);
        Assert.NotEqual(first.FileId, second.FileId);
        var notice = Assert.Single(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh);
        Assert.Equal($"{_media} changed since it was committed as FileId {first.FileId}: uploading it again as new media.", notice.Message);
        Assert.Equal(second.FileId, Assert.Single(Store().List()).CommittedFileId);
        Assert.Equal(changed, _h.MediaObject(second).ReadAllBytes());
    }

    [Fact]
    public async Task UploadingACommittedFileAgainAsAskedDropsItsRecordFirst()
    {
        using (var first = Client(keepCommitted: true))
        {
            await first.UploadAsync("ap-guangzhou", Request());
        }

        var fileId = Store().List().Single().CommittedFileId;
        _h.Emulator.Faults.Fail(EmulatorOperation.ApplyUpload, 200, "InvalidParameterValue.Procedure", times: 100);
        using var again = Client(keepCommitted: true, replaceCommitted: true);
        await Assert.ThrowsAsync<VodApiException>(() => again.UploadAsync("ap-guangzhou", Request()));

        Assert.Empty(Store().List()); // the record is gone although no new upload replaced it
        var notice = Assert.Single(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh);
        Assert.Equal($"already committed by an earlier run as FileId {fileId}; uploading it again as new media, as asked.", notice.Message);
    }
}

/// <summary>Progress reported on the reporting thread (Progress&lt;T&gt; would post it to the pool, after the moment).</summary>
internal sealed class InlineProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
{
    public void Report(UploadProgress value) => report(value);
}
