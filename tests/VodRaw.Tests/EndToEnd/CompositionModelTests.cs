using System.Collections.Concurrent;
using System.Globalization;
using CsCheck;
using VodRaw.Checkpoints;
using VodRaw.Emulator;
using VodRaw.Tests.Support;
using Xunit.Abstractions;

namespace VodRaw.Tests.EndToEnd;

/// <summary>
/// How recovery composes: generated sequences of uploads, faults, cancellations, a service that forgets its sessions,
/// an endpoint alias, credential expiry and files that change, each ending with a clean re-run of every file. After
/// every step <see cref="CompositionWorld"/> checks, against the emulators' own records: (1) each content version of a
/// file is committed at most once per service; (2) no FileId a service issued is forgotten (the caller got it, or an
/// error said the commit may have applied, or a checkpoint records it in flight; after the final re-run, the caller
/// has every FileId of the primary); (3) every multipart upload still open was named to the caller or belongs to a
/// live checkpoint; (4) no message is false (a pause's BytesKept is what its checkpoint records, BytesResumed is within
/// the file, a success's FileId holds the file's bytes, nothing says "safe to repeat", a recoverable run succeeds);
/// (5) the final re-run commits each file exactly once on the primary.
/// </summary>
/// <remarks>
/// <c>VODRAW_SOAK_SEQUENCES=N</c> runs N sequences instead of 200; <c>VODRAW_MODEL_SEED=seed</c> replays the one
/// sequence a failure printed (CsCheck's seed).
/// </remarks>
public sealed class CompositionModelTests(ITestOutputHelper output)
{
    private const int Sequences = 200;

    [Fact]
    public async Task GeneratedSequencesOfUploadsFaultsAndCancellationsKeepEveryInvariant()
    {
        var soak = Environment.GetEnvironmentVariable("VODRAW_SOAK_SEQUENCES");
        var replay = Environment.GetEnvironmentVariable("VODRAW_MODEL_SEED");
        var iterations = replay is { Length: > 0 } ? 1 : soak is { Length: > 0 } ? long.Parse(soak, CultureInfo.InvariantCulture) : Sequences;
        var stats = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var started = System.Diagnostics.Stopwatch.StartNew();
        output.WriteLine($"{iterations} sequences{(replay is { Length: > 0 } ? " replaying seed " + replay : string.Empty)}");
        await ModelGen.Sequence.SampleAsync(
            async sequence =>
            {
                await using var world = await CompositionWorld.StartAsync(sequence.Sizes, stats: stats);
                await world.RunAsync(sequence);
            },
            writeLine: output.WriteLine,
            seed: replay is { Length: > 0 } ? replay : null,
            iter: iterations,
            threads: 1,
            print: sequence => sequence.ToString());
        foreach (var (what, count) in stats)
        {
            output.WriteLine($"  {count,5} × {what}");
        }

        output.WriteLine($"{iterations} sequences in {started.Elapsed.TotalSeconds:F1} s");
    }

    // Counterexamples the model found, shrunk, as ordinary tests.

    [Fact]
    public async Task ARerunAfterACommitInFlightAndAFileChangeAnswersWithAFileIdThatHoldsTheFilesNewBytes()
    {
        // Shrunk from the model: CancelWhile(1, CommitUpload in flight) → Change(1) → re-run of file 1.
        const int PartSize = CompositionWorld.PartSize;
        await using var h = await UploadHarness.StartAsync();
        var (media, content) = h.File("clip.mp4", (2 * PartSize) + 100);
        var notices = new ConcurrentQueue<CheckpointNotice>();
        var state = Path.Combine(h.TempDirectory, "state");
        VodUploadClient Client() => h.Client(o =>
        {
            o.Checkpoints = new CheckpointStore(state) { KeepCommitted = true, Notice = notices.Enqueue };
            o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 2 };
        });
        var request = new VodUploadRequest { MediaFilePath = media };

        // Run 1: cancelled while CommitUpload is in flight; the service did commit it.
        h.Emulator.Faults.DelayReply(EmulatorOperation.CommitUpload, TimeSpan.FromSeconds(30));
        using (var cts = new CancellationTokenSource())
        {
            using var first = Client();
            var upload = first.UploadAsync("ap-guangzhou", request, cts.Token);
            while (!h.Emulator.Requests.Any(r => r.Operation == EmulatorOperation.CommitUpload))
            {
                Assert.False(upload.IsCompleted, "the upload ended before CommitUpload");
                await Task.Delay(5);
            }

            await cts.CancelAsync();
            var cancelled = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);
            Assert.Equal(UploadInterruption.CommitMayHaveApplied, cancelled.Outcome);
        }

        var oldFileId = Assert.Single(h.Emulator.CommittedMedia).FileId;

        // The file changes (64 bytes rewritten, its last-write time moved on), then the same upload runs again.
        content.AsSpan(PartSize, 64).Fill(0x5A);
        var written = File.GetLastWriteTimeUtc(media);
        await File.WriteAllBytesAsync(media, content);
        File.SetLastWriteTimeUtc(media, written.AddSeconds(7));
        h.Emulator.Faults.Clear();
        using var again = Client();
        var response = await again.UploadAsync("ap-guangzhou", request);

        // What the caller is told is true: the FileId answered for this file holds the bytes the file holds now
        // (today it is the old session's FileId, with the bytes from before the change, and nothing says so) ...
        Assert.Equal(content, h.MediaObject(response).ReadAllBytes());
        // ... and the FileId the service issued for the first session is not forgotten: the caller is told it.
        Assert.Contains(notices, n => n.Message.Contains(oldFileId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUploadStartedByAnInitiateWhoseReplyACancelCutOffIsAbortedOrNamedWhenTheChangedFileStartsFresh()
    {
        // Shrunk from the model: CancelWhile(0, InitiateMultipartUpload in flight) → Change(0) → re-run of file 0.
        const int PartSize = CompositionWorld.PartSize;
        await using var h = await UploadHarness.StartAsync();
        var (media, content) = h.File("clip.mp4", (2 * PartSize) + 100);
        var state = Path.Combine(h.TempDirectory, "state");
        VodUploadClient Client() => h.Client(o =>
        {
            o.Checkpoints = new CheckpointStore(state) { KeepCommitted = true };
            o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 2 };
        });
        var request = new VodUploadRequest { MediaFilePath = media };

        // Run 1: COS applies InitiateMultipartUpload, its reply is held back, the caller cancels: paused, UploadId never recorded.
        h.Emulator.Faults.DelayReply(EmulatorOperation.InitiateMultipartUpload, TimeSpan.FromSeconds(30));
        using (var cts = new CancellationTokenSource())
        {
            using var first = Client();
            var upload = first.UploadAsync("ap-guangzhou", request, cts.Token);
            while (!h.Emulator.Requests.Any(r => r.Operation == EmulatorOperation.InitiateMultipartUpload))
            {
                Assert.False(upload.IsCompleted, "the upload ended before InitiateMultipartUpload");
                await Task.Delay(5);
            }

            await cts.CancelAsync();
            var paused = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);
            Assert.Equal(UploadInterruption.Paused, paused.Outcome);
        }

        // The file changes; the same upload again abandons the checkpoint and starts fresh.
        content.AsSpan(PartSize, 64).Fill(0x5A);
        var written = File.GetLastWriteTimeUtc(media);
        await File.WriteAllBytesAsync(media, content);
        File.SetLastWriteTimeUtc(media, written.AddSeconds(7));
        h.Emulator.Faults.Clear();
        using var again = Client();
        var response = await again.UploadAsync("ap-guangzhou", request);
        Assert.Equal(content, h.MediaObject(response).ReadAllBytes());

        // The upload the first run's Initiate created is aborted (when the cancel cut the reply off, or when the
        // checkpoint is abandoned, listing the key's uploads), or at least named: never left open with nothing recording it.
        Assert.Single(h.Emulator.Requests, r => r.Operation == EmulatorOperation.InitiateMultipartUpload && r.Fault == FaultKind.DelayReply);
        Assert.All(h.Emulator.PendingUploadIds, id => Assert.Contains(response.OpenUploads, u => u.UploadId == id));
    }

    [Fact]
    public async Task AnUploadACancelCutOffWhoseAbortIsRefusedIsNamedByTheCancellation()
    {
        // Shrunk from the model (seed 2NU7i6RNG5K2): CancelWhile(0, InitiateMultipartUpload in flight) while COS refuses
        // AbortMultipartUpload → Expire → re-run. The cancel found the upload its Initiate created, could not abort it,
        // and said nothing of it (open []); the expired checkpoint's fresh start then left it open, named nowhere.
        const int PartSize = CompositionWorld.PartSize;
        await using var h = await UploadHarness.StartAsync();
        var (media, _) = h.File("clip.mp4", (2 * PartSize) + 100);
        var state = Path.Combine(h.TempDirectory, "state");
        using var client = h.Client(o =>
        {
            o.Checkpoints = new CheckpointStore(state) { KeepCommitted = true };
            o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 2 };
        });
        h.Emulator.Faults.DelayReply(EmulatorOperation.InitiateMultipartUpload, TimeSpan.FromSeconds(30));
        h.Emulator.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 403, "AccessDenied", times: 10);
        using var cts = new CancellationTokenSource();
        var upload = client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }, cts.Token);
        while (!h.Emulator.Requests.Any(r => r.Operation == EmulatorOperation.InitiateMultipartUpload))
        {
            Assert.False(upload.IsCompleted, "the upload ended before InitiateMultipartUpload");
            await Task.Delay(5);
        }

        await cts.CancelAsync();
        var cancelled = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);

        Assert.Contains(h.Emulator.Requests, r => r.Operation == EmulatorOperation.AbortMultipartUpload && r.Status == 403); // the fault fired
        var open = Assert.Single(h.Emulator.PendingUploadIds);
        Assert.Contains(cancelled.OpenUploads, u => u.UploadId == open);
    }

    [Fact]
    public async Task ACancelWhileAResumeAsksCosWhatItHoldsPausesAndNamesTheCheckpoint()
    {
        // Shrunk from the model: CancelAfterParts(0, 1) → CancelWhile(0, ListParts in flight).
        const int PartSize = CompositionWorld.PartSize;
        await using var h = await UploadHarness.StartAsync();
        var (media, _) = h.File("clip.mp4", (3 * PartSize) + 100);
        var state = Path.Combine(h.TempDirectory, "state");
        VodUploadClient Client() => h.Client(o =>
        {
            o.Checkpoints = new CheckpointStore(state) { KeepCommitted = true };
            o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 2 };
            o.ProgressInterval = TimeSpan.Zero;
        });
        var request = new VodUploadRequest { MediaFilePath = media };

        // Run 1: paused after a part is confirmed.
        string checkpointId;
        using (var cts = new CancellationTokenSource())
        {
            using var first = Client();
            var progress = new InlineProgress(p =>
            {
                if (p.PartsCompleted >= 1)
                {
                    cts.Cancel();
                }
            });
            var paused = await Assert.ThrowsAsync<UploadCanceledException>(() => first.UploadAsync("ap-guangzhou", request, progress, cts.Token));
            Assert.Equal(UploadInterruption.Paused, paused.Outcome);
            checkpointId = paused.CheckpointId!;
        }

        // Run 2: cancelled while ListParts (the resume's question to COS) is in flight.
        h.Emulator.Faults.DelayReply(EmulatorOperation.ListParts, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();
        using var second = Client();
        var upload = second.UploadAsync("ap-guangzhou", request, cancel.Token);
        while (!h.Emulator.Requests.Any(r => r.Operation == EmulatorOperation.ListParts))
        {
            Assert.False(upload.IsCompleted, "the upload ended before ListParts");
            await Task.Delay(5);
        }

        await cancel.CancelAsync();
        var cancelled = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);

        // The checkpoint and its open upload are still there, and resumable: the outcome says so (today: NothingStarted,
        // "cancelled before anything was written to storage", no checkpoint id).
        var kept = Assert.Single(new CheckpointStore(state).List());
        Assert.Equal(checkpointId, kept.Id);
        Assert.Single(h.Emulator.PendingUploadIds);
        Assert.Equal(UploadInterruption.Paused, cancelled.Outcome);
        Assert.Equal(checkpointId, cancelled.CheckpointId);
        Assert.Equal(kept.BytesDone, cancelled.BytesKept);
    }

    [Fact]
    public async Task ACancelAfterAnOldCommitWasSettledPausesTheNewUploadAndDoesNotSayItsCommitMayHaveApplied()
    {
        // Shrunk from the model: CancelWhile(0, CommitUpload in flight) → Change(0) → CancelAfterParts(0, 1).
        const int PartSize = CompositionWorld.PartSize;
        await using var h = await UploadHarness.StartAsync();
        var (media, content) = h.File("clip.mp4", (3 * PartSize) + 100);
        var state = Path.Combine(h.TempDirectory, "state");
        VodUploadClient Client() => h.Client(o =>
        {
            o.Checkpoints = new CheckpointStore(state) { KeepCommitted = true };
            o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 2 };
            o.ProgressInterval = TimeSpan.Zero;
        });
        var request = new VodUploadRequest { MediaFilePath = media };

        // Run 1: cancelled while CommitUpload is in flight; the service did commit it.
        h.Emulator.Faults.DelayReply(EmulatorOperation.CommitUpload, TimeSpan.FromSeconds(30));
        using (var cts = new CancellationTokenSource())
        {
            using var first = Client();
            var upload = first.UploadAsync("ap-guangzhou", request, cts.Token);
            while (!h.Emulator.Requests.Any(r => r.Operation == EmulatorOperation.CommitUpload))
            {
                Assert.False(upload.IsCompleted, "the upload ended before CommitUpload");
                await Task.Delay(5);
            }

            await cts.CancelAsync();
            Assert.Equal(UploadInterruption.CommitMayHaveApplied, (await Assert.ThrowsAsync<UploadCanceledException>(() => upload)).Outcome);
        }

        // The file changes; run 2 settles the old commit, starts the new content afresh, and is cancelled after a part.
        content.AsSpan(PartSize, 64).Fill(0x5A);
        var written = File.GetLastWriteTimeUtc(media);
        await File.WriteAllBytesAsync(media, content);
        File.SetLastWriteTimeUtc(media, written.AddSeconds(7));
        h.Emulator.Faults.Clear();
        h.Emulator.ClearRequests();
        using var cancel = new CancellationTokenSource();
        using var second = Client();
        var progress = new InlineProgress(p =>
        {
            if (p.PartsCompleted >= 1)
            {
                cancel.Cancel();
            }
        });
        var cancelled = await Assert.ThrowsAsync<UploadCanceledException>(() => second.UploadAsync("ap-guangzhou", request, progress, cancel.Token));

        // The new session never sent CommitUpload (the run's one CommitUpload settled the old session): it is paused,
        // and nothing says its media may already be in VOD (today: CommitMayHaveApplied with the new MediaStoragePath).
        Assert.Single(h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
        Assert.Single(h.Emulator.CommittedMedia);
        Assert.Equal(UploadInterruption.Paused, cancelled.Outcome);
        var kept = Assert.Single(new CheckpointStore(state).List(), c => c.Id == cancelled.CheckpointId);
        Assert.False(kept.CommitSent);
        Assert.Equal(kept.BytesDone, cancelled.BytesKept);
    }
}
