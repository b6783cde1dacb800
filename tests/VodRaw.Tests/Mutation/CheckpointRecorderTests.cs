using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using VodRaw.Checkpoints;
using VodRaw.Transfer;

namespace VodRaw.Tests.Mutation;

/// <summary>
/// The live checkpoint on its own (no emulator): what each event records, when a write is due, that nothing is
/// written after the checkpoint is deleted, and that a write that fails is reported once and retried. The clock is
/// fake, so "within a second of the last write" is exact. Whether a background write happened before a delete is read
/// off the store's directory: the recorder's delete waits for a background write, and only a write creates it.
/// </summary>
public sealed class CheckpointRecorderTests : IDisposable
{
    private const string Id = "0123456789abcdef0123456789abcdef";
    private const int PartSize = 1 << 20;
    private readonly string _root = Directory.CreateTempSubdirectory("vodraw-recorder-").FullName;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly ConcurrentQueue<CheckpointNotice> _notices = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string StateDirectory => Path.Combine(_root, "state");

    private CheckpointStore Store(bool keepCommitted = false) => new(StateDirectory) { Notice = _notices.Enqueue, KeepCommitted = keepCommitted };

    /// <summary>Three files: a multipart media file with part 1 confirmed, a cover and a segment not started.</summary>
    private static CheckpointDocument Document() => new()
    {
        Id = Id,
        Region = "ap-guangzhou",
        Request = "{}",
        PartSize = PartSize,
        Session = new SessionRecord
        {
            VodSessionKey = "session",
            Bucket = "b-1250000000",
            StorageRegion = "ap-chongqing",
            MediaStoragePath = "/a/m.mp4",
            Credential = new CredentialRecord { SecretId = "AKIDtmp", ExpiresAt = 1_800_003_600, Sealed = "c2VhbGVk" },
        },
        Files =
        [
            new FileRecord { Role = "media", Path = "/m.mp4", Key = "a/m.mp4", UploadId = "u1", Fingerprint = new FileFingerprint { Size = 3L * PartSize }, Parts = [Part(1, "\"e1\"")] },
            new FileRecord { Role = "cover", Path = "/c.jpg", Key = "a/c.jpg", Fingerprint = new FileFingerprint { Size = 10 } },
            new FileRecord { Role = "segment", Path = "/s.ts", Key = "a/s.ts", Fingerprint = new FileFingerprint { Size = 20 } },
        ],
    };

    private static PartRecord Part(int number, string etag) => new() { Number = number, Size = PartSize, ETag = etag, Crc64 = (ulong)number };

    private CheckpointRecorder Recorder(CheckpointDocument? document = null, bool keepCommitted = false, long putBytesPerWrite = 32L << 20) =>
        new(Store(keepCommitted), document ?? Document(), _clock, putBytesPerWrite);

    /// <summary>The checkpoint as it is on disk now (null when there is none).</summary>
    private CheckpointDocument? Written()
    {
        var (document, problem) = Store().Load(Id);
        Assert.Null(problem);
        return document;
    }

    /// <summary>Deletes the checkpoint and says whether anything had been written before (a background write included).</summary>
    private async Task<bool> WroteBeforeDeleteAsync(CheckpointRecorder recorder)
    {
        await recorder.DeleteAsync();
        return Directory.Exists(StateDirectory);
    }

    /// <summary>Makes every later write fail: a regular file stands where the store's directory should be.</summary>
    private void BlockWrites()
    {
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }

        File.WriteAllText(StateDirectory, "not a directory");
    }

    [Fact]
    public async Task WriteNowWritesTheCheckpointBeforeAnythingElseHappens()
    {
        var recorder = Recorder();
        await recorder.WriteNowAsync();

        var written = Written();
        Assert.NotNull(written);
        Assert.Equal("u1", written.Files[0].UploadId);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), written.UpdatedAt);
    }

    [Fact]
    public async Task AFlushWithNothingNewDoesNotRewriteTheCheckpoint()
    {
        var recorder = Recorder();
        await recorder.WriteNowAsync();
        var first = _clock.GetUtcNow().ToUnixTimeMilliseconds();

        _clock.Advance(TimeSpan.FromSeconds(5));
        await recorder.FlushAsync();

        Assert.Equal(first, Written()!.UpdatedAt);
    }

    [Fact]
    public async Task ANewMultipartUploadIsRecordedDurablyWithoutTheOldUploadsParts()
    {
        var recorder = Recorder();
        await recorder.For(0).InitiatedAsync("u2", CancellationToken.None);

        var media = Written()!.Files[0];
        Assert.Equal("u2", media.UploadId);
        Assert.Empty(media.Parts);
    }

    [Fact]
    public async Task ACommitAboutToBeSentIsWrittenBeforeItIs()
    {
        var recorder = Recorder();
        await recorder.CommitSendingAsync(CancellationToken.None);

        Assert.True(Written()!.CommitSent);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => recorder.CommitSendingAsync(new CancellationToken(canceled: true)).AsTask());
    }

    [Fact]
    public async Task APartConfirmedTwiceIsRecordedOnceWithItsLastETag()
    {
        var recorder = Recorder();
        recorder.For(0).PartCompleted(new CompletedPart(2, "\"first\"", PartSize, 2));
        recorder.For(0).PartCompleted(new CompletedPart(2, "\"second\"", PartSize, 2));
        await recorder.FlushAsync();

        var part = Assert.Single(Written()!.Files[0].Parts, p => p.Number == 2);
        Assert.Equal("\"second\"", part.ETag);
    }

    [Fact]
    public async Task APartConfirmedWithinASecondOfTheLastWriteIsNotWrittenOnItsOwn()
    {
        var recorder = Recorder();
        recorder.For(0).PartCompleted(new CompletedPart(2, "\"e2\"", PartSize, 2));
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        recorder.For(0).PartCompleted(new CompletedPart(3, "\"e3\"", PartSize, 3));

        Assert.False(await WroteBeforeDeleteAsync(recorder));
    }

    [Fact]
    public async Task APartConfirmedASecondAfterTheLastWriteIsWrittenInTheBackground()
    {
        var recorder = Recorder();
        _clock.Advance(TimeSpan.FromSeconds(1));
        recorder.For(0).PartCompleted(new CompletedPart(2, "\"e2\"", PartSize, 2));

        Assert.True(await WroteBeforeDeleteAsync(recorder));
    }

    [Fact]
    public async Task AMultipartObjectCompletedIsWrittenAtOnce()
    {
        var recorder = Recorder();
        recorder.For(0).Completed(0);

        Assert.True(await WroteBeforeDeleteAsync(recorder));
    }

    [Fact]
    public async Task WholeObjectPutsBelowTheBudgetWaitForTheNextWrite()
    {
        var recorder = Recorder(putBytesPerWrite: 100);
        recorder.For(1).Completed(60);
        recorder.For(2).Completed(39);

        Assert.False(await WroteBeforeDeleteAsync(recorder));
    }

    [Fact]
    public async Task WholeObjectPutsThatReachTheBudgetTogetherAreWritten()
    {
        var recorder = Recorder(putBytesPerWrite: 100);
        recorder.For(1).Completed(60);
        recorder.For(2).Completed(40);

        Assert.True(await WroteBeforeDeleteAsync(recorder));
    }

    [Fact]
    public async Task AStoredFileIsRecordedCompleteWithoutItsUploadOrParts()
    {
        var recorder = Recorder();
        await recorder.WriteNowAsync();
        recorder.FileStored(0);
        await recorder.FlushAsync();

        var media = Written()!.Files[0];
        Assert.True(media.Complete);
        Assert.Null(media.UploadId);
        Assert.Empty(media.Parts);
    }

    [Fact]
    public async Task ARestartedFileIsRecordedAsNotStartedUnderTheSameSession()
    {
        var document = Document();
        document.Files[0].Complete = true;
        var recorder = Recorder(document);
        await recorder.WriteNowAsync();
        recorder.FileRestarted(0);
        await recorder.FlushAsync();

        var media = Written()!.Files[0];
        Assert.False(media.Complete);
        Assert.Null(media.UploadId);
        Assert.Empty(media.Parts);
        Assert.Equal("session", Written()!.Session.VodSessionKey);
    }

    [Fact]
    public async Task ReconciledPartsReplaceTheRecordedOnesFieldByField()
    {
        var recorder = Recorder();
        await recorder.WriteNowAsync();
        recorder.PartsReconciled(0, [new CompletedPart(2, "\"e2\"", PartSize, 22), new CompletedPart(3, "\"e3\"", 5, 33)]);
        await recorder.FlushAsync();

        var parts = Written()!.Files[0].Parts;
        Assert.Equal([2, 3], parts.Select(p => p.Number));
        Assert.Equal(["\"e2\"", "\"e3\""], parts.Select(p => p.ETag));
        Assert.Equal([PartSize, 5L], parts.Select(p => p.Size));
        Assert.Equal([22UL, 33UL], parts.Select(p => p.Crc64));
        Assert.Equal(PartSize + 5, recorder.BytesConfirmed);
    }

    [Fact]
    public void OnlyIncompleteFilesWithAnUploadIdAreOpenUploads()
    {
        var document = Document();
        document.Files[1].Complete = true;
        document.Files[1].UploadId = "finished"; // complete: its upload is gone, whatever the record says
        var recorder = Recorder(document); // file 2 has no UploadId

        var open = Assert.Single(recorder.OpenUploads());
        Assert.Equal(("a/m.mp4", "u1"), open);
    }

    [Fact]
    public async Task ACommittedUploadsCheckpointGoesWhenTheStoreKeepsNoResults()
    {
        var recorder = Recorder();
        await recorder.WriteNowAsync();

        Assert.False(await recorder.CommittedAsync(new VodUploadResponse("f1", "https://m", null, "r1")));
        Assert.Null(Written());
    }

    [Fact]
    public async Task ACommittedUploadsCheckpointBecomesItsResultWhenTheStoreKeepsResults()
    {
        var recorder = Recorder(keepCommitted: true);
        await recorder.WriteNowAsync();
        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.True(await recorder.CommittedAsync(new VodUploadResponse("f1", "https://m", "https://c", "r1") { BytesUploaded = 7, BytesResumed = 5 }));

        var written = Written()!;
        Assert.Equal(("f1", "https://m", "https://c", "r1"), (written.Committed!.FileId, written.Committed.MediaUrl, written.Committed.CoverUrl, written.Committed.RequestId));
        Assert.Equal((7L, 5L), (written.Committed.BytesUploaded, written.Committed.BytesResumed));
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), written.Committed.CommittedAt);
        Assert.Null(written.Session.Credential);
        Assert.All(written.Files, f =>
        {
            Assert.True(f.Complete);
            Assert.Null(f.UploadId);
            Assert.Empty(f.Parts);
        });
    }

    [Fact]
    public async Task NothingIsWrittenAfterTheCheckpointIsDeleted()
    {
        var recorder = Recorder();
        await recorder.WriteNowAsync();
        await recorder.DeleteAsync();

        _clock.Advance(TimeSpan.FromSeconds(2));
        recorder.For(0).PartCompleted(new CompletedPart(2, "\"e2\"", PartSize, 2));
        recorder.FileRestarted(1);
        await recorder.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Null(Written());
        Assert.Empty(Directory.EnumerateFileSystemEntries(StateDirectory));
    }

    [Fact]
    public async Task AWriteThatFailsIsReportedOnceAndTheUploadGoesOn()
    {
        BlockWrites();
        var recorder = Recorder();
        await recorder.WriteNowAsync();
        await recorder.For(0).InitiatedAsync("u2", CancellationToken.None);
        await recorder.CommitSendingAsync(CancellationToken.None);

        var notice = Assert.Single(_notices);
        Assert.Equal(CheckpointNoticeKind.WriteFailed, notice.Kind);
        Assert.Equal(Id, notice.CheckpointId);
        Assert.StartsWith($"checkpoint {Id} could not be written (", notice.Message, StringComparison.Ordinal);
        Assert.EndsWith("the upload goes on but may not be resumable.", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhatAFailedWriteMissedIsWrittenByTheNextOne()
    {
        BlockWrites();
        var recorder = Recorder();
        await recorder.WriteNowAsync();
        Assert.Single(_notices);

        File.Delete(StateDirectory);
        await recorder.FlushAsync();

        Assert.Equal("u1", Written()!.Files[0].UploadId);
    }

    [Fact]
    public async Task AfterABackgroundWriteAPartWithinASecondWaitsAgain()
    {
        var recorder = Recorder();
        recorder.FileStored(1); // due at once: written in the background
        await recorder.FlushAsync(); // waits for that write; nothing is left to write
        Assert.Equal(1, Written()!.Files.Count(f => f.Complete));

        BlockWrites(); // from here on, any write attempt is reported
        recorder.For(0).PartCompleted(new CompletedPart(2, "\"e2\"", PartSize, 2));
        await recorder.DeleteAsync(); // waits for a background write, if one was started

        Assert.Empty(_notices);
    }
}
