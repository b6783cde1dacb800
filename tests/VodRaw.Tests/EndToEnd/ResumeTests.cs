using System.Collections.Concurrent;
using VodRaw.Checkpoints;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

/// <summary>Pause and resume in process: a cancelled upload keeps its checkpoint and the same upload continues it.</summary>
public sealed class ResumeTests : IAsyncLifetime
{
    private const int PartSize = 1024 * 1024;
    private const int Concurrency = 4;
    private UploadHarness _h = null!;
    private string _media = null!;
    private byte[] _content = null!;
    private string _checkpoints = null!;
    private readonly ConcurrentQueue<CheckpointNotice> _notices = new();

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync(new VodEmulatorOptions { Latency = TimeSpan.FromMilliseconds(15), PathModeSubAppIds = [101] });
        (_media, _content) = _h.File("long.mp4", (16 * PartSize) + 300);
        _checkpoints = Path.Combine(_h.TempDirectory, "state", "vodraw");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private CheckpointStore Store => new(_checkpoints) { Notice = _notices.Enqueue };

    private VodUploadClient Client() => _h.Client(o =>
    {
        o.Checkpoints = Store;
        o.ProgressInterval = TimeSpan.Zero;
        o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = Concurrency };
    });

    /// <summary>Runs the upload and cancels it once <paramref name="parts"/> parts are confirmed.</summary>
    private async Task<UploadCanceledException> PauseAfterAsync(int parts, VodUploadRequest? request = null)
    {
        using var client = Client();
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.PartsCompleted >= parts)
            {
                cts.Cancel();
            }
        });
        var paused = await Assert.ThrowsAsync<UploadCanceledException>(() => client.UploadAsync("ap-guangzhou", request ?? new VodUploadRequest { MediaFilePath = _media }, progress, cts.Token));
        Assert.Equal(1, _h.Emulator.PendingMultipartUploads); // paused mid-way, not aborted
        // Requests the cancelled run had in flight are logged when the emulator finishes them: let them land.
        for (var quiet = 0; quiet < 3;)
        {
            var seen = _h.Emulator.Requests.Count;
            await Task.Delay(50);
            quiet = _h.Emulator.Requests.Count == seen ? quiet + 1 : 0;
        }

        _h.Emulator.ClearRequests();
        return paused;
    }

    /// <summary>Rewrites the paused upload's checkpoint (a valid file, as a crash at another moment would leave it).</summary>
    private void EditCheckpoint(UploadCanceledException paused, Action<CheckpointDocument> edit)
    {
        var path = Path.Combine(_checkpoints, paused.CheckpointId + ".checkpoint");
        var (document, problem) = CheckpointCodec.Decode(File.ReadAllBytes(path));
        Assert.Null(problem);
        edit(document!);
        File.WriteAllBytes(path, CheckpointCodec.Encode(document!));
    }

    private long UploadPartBytes() => _h.Emulator.Requests.Where(r => r.Operation is EmulatorOperation.UploadPart or EmulatorOperation.PutObject).Sum(r => r.BodyBytes);

    [Fact]
    public async Task ACancelledUploadPausesAndTheSameUploadResumesIt()
    {
        var paused = await PauseAfterAsync(5);
        Assert.Equal(UploadInterruption.Paused, paused.Outcome);
        Assert.NotNull(paused.CheckpointId);
        Assert.Equal(1, _h.Emulator.PendingMultipartUploads); // not aborted
        Assert.Empty(_h.Emulator.AbortedUploads);
        var live = Assert.Single(Store.List());
        Assert.Equal(paused.CheckpointId, live.Id);
        Assert.True(live.PartsDone >= 5, $"{live.PartsDone} parts recorded");
        Assert.Equal(17, live.PartsTotal);

        _h.Emulator.ClearRequests();
        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _media });

        Assert.Contains(_notices, n => n.Kind == CheckpointNoticeKind.Resuming && n.Message.StartsWith("resuming: ", StringComparison.Ordinal));
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.ApplyUpload);
        Assert.Contains(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.ListParts);
        Assert.True(response.BytesResumed >= 5L * PartSize, $"resumed {response.BytesResumed}");
        // Only what COS did not hold went up again.
        Assert.Equal(_content.Length - response.BytesResumed, UploadPartBytes());
        Assert.True(UploadPartBytes() <= _content.Length - (live.PartsDone * (long)PartSize) + (Concurrency * (long)PartSize));
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.Empty(Store.List());
        Assert.False(File.Exists(Path.Combine(_checkpoints, paused.CheckpointId + ".checkpoint")));
    }

    [Fact]
    public async Task AnUploadToAnotherMediaStoragePathDoesNotResumeThePausedOnesCheckpoint()
    {
        // The same file, account and region: only MediaStoragePath differs, and it is part of the ApplyUpload body the id hashes.
        var paused = await PauseAfterAsync(3, new VodUploadRequest { MediaFilePath = _media, SubAppId = 101, MediaStoragePath = "/shows/a.mp4" });
        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _media, SubAppId = 101, MediaStoragePath = "/shows/b.mp4" });

        Assert.DoesNotContain(_notices, n => n.Kind == CheckpointNoticeKind.Resuming);
        Assert.Equal(1, _h.Emulator.Attempts(EmulatorOperation.ApplyUpload));
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.ListParts);
        Assert.Equal(0, response.BytesResumed);
        Assert.Equal(_content.Length, UploadPartBytes());
        Assert.Equal("shows/b.mp4", _h.MediaObject(response).Key);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        Assert.EndsWith("\"MediaStoragePath\":\"/shows/b.mp4\"}", _h.Recorder.Requests.Last(r => r.Action == "ApplyUpload").Body, StringComparison.Ordinal);
        Assert.Equal(paused.CheckpointId, Assert.Single(Store.List()).Id); // the paused upload keeps its checkpoint
        Assert.Equal(1, _h.Emulator.PendingMultipartUploads); // and its parts, for its own request to resume
    }

    [Fact]
    public async Task TheCheckpointIsOwnerOnlyAndHoldsNoSecretInClear()
    {
        var paused = await PauseAfterAsync(3);
        var path = Path.Combine(_checkpoints, paused.CheckpointId + ".checkpoint");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_checkpoints));
        }

        var text = File.ReadAllText(path);
        var (document, _) = CheckpointCodec.Decode(File.ReadAllBytes(path));
        var temp = _h.Emulator.FindSession(document!.Session.VodSessionKey)!.TempCredential;
        Assert.Contains(temp.SecretId, text, StringComparison.Ordinal); // not secret: the proof the credential is in there
        Assert.DoesNotContain(temp.SecretKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(temp.Token!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.Emulator.Credential.SecretKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetFileName(path) + ".tmp", Directory.GetFiles(_checkpoints).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ADamagedCheckpointIsSetAsideAndTheUploadStartsFresh()
    {
        var paused = await PauseAfterAsync(3);
        var path = Path.Combine(_checkpoints, paused.CheckpointId + ".checkpoint");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        _h.Emulator.ClearRequests();
        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _media });

        var notice = Assert.Single(_notices);
        Assert.Equal(CheckpointNoticeKind.SetAside, notice.Kind);
        Assert.Contains("checksum", notice.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_checkpoints, paused.CheckpointId + ".damaged")));
        Assert.Single(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.ApplyUpload);
        Assert.Equal(0, response.BytesResumed);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task ACheckpointWhoseCredentialExpiredStartsFreshAndSaysSo()
    {
        var paused = await PauseAfterAsync(3);
        EditCheckpoint(paused, document => document.Session.Credential!.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds());

        _h.Emulator.ClearRequests();
        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _media });

        var notice = Assert.Single(_notices);
        Assert.Equal(CheckpointNoticeKind.StartingFresh, notice.Kind);
        Assert.Contains("expired", notice.Message, StringComparison.Ordinal);
        Assert.True(notice.Bytes >= 3L * PartSize);
        Assert.Single(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.ApplyUpload);
        Assert.Equal(_content.Length, UploadPartBytes());
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AFileChangedBetweenRunsIsNeverCommittedWithMixedContent()
    {
        await PauseAfterAsync(4);
        var changed = _content.ToArray();
        changed[10] ^= 0xFF; // the first MiB changes: old part 1 must not be used
        File.WriteAllBytes(_media, changed);

        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _media });

        Assert.Contains(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh && n.Message.Contains("changed", StringComparison.Ordinal));
        Assert.Equal(changed, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads); // the old upload was aborted
    }

    [Fact]
    public async Task PartsCosConfirmedAfterTheLastCheckpointWriteAreKeptWhenTheirBytesMatch()
    {
        var paused = await PauseAfterAsync(6);
        // Forget every recorded part, as if the process died right after COS confirmed them.
        var recorded = 0;
        EditCheckpoint(paused, document =>
        {
            recorded = document.Files[0].Parts.Count;
            document.Files[0].Parts.Clear();
        });

        _h.Emulator.ClearRequests();
        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _media });

        Assert.True(response.BytesResumed >= (long)recorded * PartSize, $"kept {response.BytesResumed} bytes of {recorded} recorded parts");
        Assert.Equal(_content.Length - response.BytesResumed, UploadPartBytes());
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task AbortCheckpointAbortsItsUploadAndDeletesIt()
    {
        var paused = await PauseAfterAsync(3);
        using var client = Client();
        Assert.Equal(1, _h.Emulator.PendingMultipartUploads);
        var leftOpen = await client.AbortCheckpointAsync(paused.CheckpointId!);
        Assert.Empty(leftOpen);
        Assert.True(_h.Emulator.Requests.Any(r => r.Operation == EmulatorOperation.AbortMultipartUpload), string.Join("\n", _h.Emulator.Requests.Select(r => r.Operation + " " + r.Status)));
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.Single(_h.Emulator.AbortedUploads);
        Assert.Empty(Store.List());
        await Assert.ThrowsAsync<ArgumentException>(() => client.AbortCheckpointAsync(paused.CheckpointId!));
    }

    [Fact]
    public async Task ASecondRunOfTheSameUploadWhileTheFirstRunsIsRefusedBeforeAnythingIsSent()
    {
        var request = new VodUploadRequest { MediaFilePath = _media };
        using var first = Client();
        using var second = Client();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first run's worker that reports the second confirmed part waits there: the run cannot finish meanwhile.
        var progress = new SyncProgress(p =>
        {
            if (p.PartsCompleted >= 2 && held.TrySetResult())
            {
                release.Task.Wait(TimeSpan.FromSeconds(30));
            }
        });
        var firstRun = Task.Run(() => first.UploadAsync("ap-guangzhou", request, progress, CancellationToken.None));
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var applies = _h.Emulator.Attempts(EmulatorOperation.ApplyUpload);
        Assert.Equal(1, applies);

        var refused = await Assert.ThrowsAsync<VodRawException>(() => second.UploadAsync("ap-guangzhou", request));
        Assert.Equal(VodRawErrorCodes.CheckpointInUse, refused.Code);
        Assert.False(refused.IsTransient); // this store keeps no committed record: running it again later would upload twice
        Assert.Contains("do not run this again once it has finished", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(refused.CheckpointId);
        Assert.Contains("nothing was sent", refused.Message, StringComparison.Ordinal);
        var abort = await Assert.ThrowsAsync<VodRawException>(() => second.AbortCheckpointAsync(refused.CheckpointId!));
        Assert.Equal(VodRawErrorCodes.CheckpointInUse, abort.Code);
        Assert.Equal(applies, _h.Emulator.Attempts(EmulatorOperation.ApplyUpload)); // the refused run never started a session
        Assert.Empty(_h.Emulator.AbortedUploads); // nor touched the live one

        release.SetResult();
        var response = await firstRun;
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        Assert.Empty(Directory.EnumerateFiles(_checkpoints, "*.lock")); // released and removed with the upload

        var again = await second.UploadAsync("ap-guangzhou", request); // free again: a new upload (nothing kept)
        Assert.NotEqual(response.FileId, again.FileId);
    }

    [Fact]
    public async Task AFailureAfterTheRetriesKeepsTheUploadResumable()
    {
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "ServiceUnavailable", partNumber: 9, times: 100);
        using (var client = Client())
        {
            var e = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _media }));
            Assert.NotNull(e.CheckpointId);
            Assert.Equal(1, _h.Emulator.PendingMultipartUploads);
        }

        _h.Emulator.Faults.Clear();
        using var again = Client();
        var response = await again.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _media });
        Assert.True(response.BytesResumed > 0);
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
    }

    /// <summary>An IProgress that runs on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }
}
