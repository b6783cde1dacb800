using System.Collections.Concurrent;
using System.Text.Json;
using VodRaw.Checkpoints;
using VodRaw.Cli;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

/// <summary>
/// Where recovery features meet (issue 29): a stale checkpoint against a service that forgot it, a commit whose
/// reply was lost or cancelled, the advice of exit 8, a checkpoint against another service, and messages that must
/// say only what happened. Each test checks the emulator's record, not only the client's claim.
/// </summary>
public sealed class SessionRecoveryTests : IAsyncLifetime
{
    private const int PartSize = 1024 * 1024;
    private UploadHarness _h = null!;
    private string _media = null!;
    private byte[] _content = null!;
    private string _checkpoints = null!;
    private readonly ConcurrentQueue<CheckpointNotice> _notices = new();

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync();
        (_media, _content) = _h.File("clip.mp4", (6 * PartSize) + 123);
        _checkpoints = Path.Combine(_h.TempDirectory, "state");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private CheckpointStore Store(bool keepCommitted = false) => new(_checkpoints) { Notice = _notices.Enqueue, KeepCommitted = keepCommitted };

    private VodUploadClient Client(bool keepCommitted = false, Uri? vodEndpoint = null, Action<VodUploadClientOptions>? configure = null) => _h.Client(o =>
    {
        o.Checkpoints = Store(keepCommitted);
        o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 2 };
        if (vodEndpoint is not null)
        {
            o.VodEndpoint = vodEndpoint;
        }

        configure?.Invoke(o);
    });

    private VodUploadRequest Request => new() { MediaFilePath = _media };

    [Fact]
    public async Task AStaleCheckpointWhoseSessionTheServiceForgotNeverBlocksTheFreshUploadsCommit()
    {
        // Run 1: COS refuses a part for good; the checkpoint (and its multipart upload) is kept.
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", times: 100);
        using (var first = Client(keepCommitted: true))
        {
            var refused = await Assert.ThrowsAsync<CosException>(() => first.UploadAsync("ap-guangzhou", Request));
            Assert.Equal("AccessDenied", refused.Code);
            Assert.NotNull(refused.CheckpointId);
        }

        var staleUpload = Assert.Single(_h.Emulator.Store.Uploads).UploadId;

        // Run 2: the service no longer knows that session: ListParts and Abort of the old upload are refused.
        _h.Emulator.Faults.Clear();
        _h.Emulator.Faults.Fail(EmulatorOperation.ListParts, 403, "AccessDenied", times: 100);
        _h.Emulator.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 403, "AccessDenied", times: 100);
        _h.Emulator.ClearRequests();
        VodUploadResponse response;
        using (var second = Client(keepCommitted: true))
        {
            response = await second.UploadAsync("ap-guangzhou", Request);
        }

        Assert.Contains(_h.Emulator.Requests, r => r is { Operation: EmulatorOperation.ListParts, Status: 403 }); // the fault fired
        Assert.Contains(_h.Emulator.Requests, r => r is { Operation: EmulatorOperation.AbortMultipartUpload, Status: 403 });
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(1, _h.Emulator.CommittedSessions);
        var open = Assert.Single(response.OpenUploads); // the stale upload, named beside the success with its reason
        Assert.Equal(staleUpload, open.UploadId);
        Assert.Contains("abandoned checkpoint's upload; abort failed", open.Reason, StringComparison.Ordinal);
        Assert.Contains(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh && n.Bytes == _content.Length && n.Message.Contains("AccessDenied", StringComparison.Ordinal));

        // Run 3: the same upload again answers with the recorded result; nothing is sent, nothing claims a commit was in flight.
        _h.Emulator.Faults.Clear();
        _h.Emulator.ClearRequests();
        using var third = Client(keepCommitted: true);
        var again = await third.UploadAsync("ap-guangzhou", Request);
        Assert.True(again.AlreadyCommitted);
        Assert.Equal(response.FileId, again.FileId);
        Assert.Empty(_h.Emulator.Requests);
        Assert.DoesNotContain(_notices, n => n.Message.Contains("CommitUpload was sent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AResumedUploadWhoseCredentialExpiredStartsFreshAndNamesTheOldUploadItLeftToLifecycleRules()
    {
        var clock = new ManualTimeProvider();
        await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { TimeProvider = clock, TemporaryCredentialLifetime = TimeSpan.FromMinutes(10) });
        VodUploadClient ClientOf() => new(new VodCredential(emulator.Credential.SecretId, emulator.Credential.SecretKey), new VodUploadClientOptions
        {
            VodEndpoint = emulator.VodEndpoint,
            CosEndpointTemplate = emulator.CosEndpoint + "{bucket}",
            Checkpoints = Store(),
            TimeProvider = clock,
            Retry = new RetryOptions { MaxAttempts = 2, InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
            Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 1 },
        });

        emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "ServiceUnavailable", occurrence: 3, times: 100);
        using (var first = ClientOf())
        {
            await Assert.ThrowsAsync<CosException>(() => first.UploadAsync("ap-guangzhou", Request));
        }

        var oldUpload = Assert.Single(emulator.Store.Uploads).UploadId;
        emulator.Faults.Clear();
        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(3)); // a few seconds left: under the expiry margin

        using var second = ClientOf();
        var response = await second.UploadAsync("ap-guangzhou", Request);

        Assert.Equal(1, emulator.CommittedSessions);
        var open = Assert.Single(response.OpenUploads);
        Assert.Equal(oldUpload, open.UploadId);
        Assert.Contains("lifecycle", open.Reason, StringComparison.Ordinal);
        var notice = Assert.Single(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh);
        Assert.Contains(oldUpload, notice.Message, StringComparison.Ordinal);
        Assert.Contains("expired", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CtrlCWhileCommitUploadIsInFlightKeepsACheckpointThatAbortRefusesAndARerunRecoversTheFileId()
    {
        _h.Emulator.Faults.DelayReply(EmulatorOperation.CommitUpload, TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        using var client = Client();
        var upload = client.UploadAsync("ap-guangzhou", Request, cts.Token);
        while (!_h.Emulator.Requests.Any(r => r.Operation == EmulatorOperation.CommitUpload) && _h.Emulator.CommittedSessions == 0)
        {
            Assert.False(upload.IsCompleted, "the upload ended before CommitUpload: " + upload.Exception?.InnerException?.Message);
            await Task.Delay(5);
        }

        await cts.CancelAsync();
        var cancelled = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);
        Assert.Equal(UploadInterruption.CommitMayHaveApplied, cancelled.Outcome);
        Assert.NotNull(cancelled.CheckpointId);
        Assert.StartsWith("/", cancelled.MediaStoragePath, StringComparison.Ordinal);
        Assert.Equal(1, _h.Emulator.CommittedSessions); // the service did commit: the message is true
        var listed = Assert.Single(Store().List());
        Assert.True(listed.CommitSent);
        Assert.Equal("commitInFlight", CheckpointsCommand.State(listed));

        // Giving it up is refused without --force: it is the only record of that session.
        var refused = await Assert.ThrowsAsync<VodRawException>(() => client.AbortCheckpointAsync(cancelled.CheckpointId!));
        Assert.Equal(VodRawErrorCodes.CommitOutcomeUnknown, refused.Code);
        Assert.Single(Store().List());

        // Running the same upload again asks VOD with the same session: the FileId the service issued is not forgotten.
        _h.Emulator.Faults.Clear();
        _h.Emulator.ClearRequests();
        using var again = Client();
        var response = await again.UploadAsync("ap-guangzhou", Request);
        Assert.Equal(Assert.Single(_h.Emulator.CommittedMedia).FileId, response.FileId);
        Assert.Equal(1, _h.Emulator.CommittedSessions);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation is EmulatorOperation.ApplyUpload or EmulatorOperation.UploadPart or EmulatorOperation.PutObject);
        Assert.Empty(Store().List());
    }

    [Fact]
    public async Task ACommitWhoseEveryReplyIsLostWithoutACheckpointSaysTheMediaMayBeInVodAndNeverThatRepeatingIsSafe()
    {
        _h.Emulator.Faults.LoseReply(EmulatorOperation.CommitUpload, times: 10);
        using var client = _h.Client(o => o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 2 });

        var error = await Assert.ThrowsAsync<CommitOutcomeUnknownException>(() => client.UploadAsync("ap-guangzhou", Request));

        Assert.Equal(4, _h.Emulator.Attempts(EmulatorOperation.CommitUpload)); // every attempt's reply was lost
        Assert.Equal(1, _h.Emulator.CommittedSessions); // and the first was applied
        Assert.DoesNotContain("safe to repeat", error.Message, StringComparison.Ordinal);
        Assert.Contains("may already be in VOD", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.MediaStoragePath!, error.Message, StringComparison.Ordinal);
        Assert.Null(error.CheckpointId);
        Assert.Equal(ExitCodes.CommitUnknown, ExitCodes.For(error));
    }

    [Fact]
    public async Task ACommitRefusedOutrightIsNotLeftInFlightAndTheNextRunCommitsWithoutSendingTheFilesAgain()
    {
        _h.Emulator.Faults.Fail(EmulatorOperation.CommitUpload, 200, "FailedOperation.Busy");
        using (var first = Client())
        {
            var refused = await Assert.ThrowsAsync<VodApiException>(() => first.UploadAsync("ap-guangzhou", Request));
            Assert.Equal("FailedOperation.Busy", refused.Code);
            Assert.NotNull(refused.CheckpointId);
        }

        Assert.Equal(1, _h.Emulator.Attempts(EmulatorOperation.CommitUpload)); // the fault fired; nothing was applied
        Assert.Equal(0, _h.Emulator.CommittedSessions);
        var kept = Assert.Single(Store().List());
        Assert.False(kept.CommitSent); // refused outright: not a commit in flight
        Assert.Equal("resumable", CheckpointsCommand.State(kept));

        _h.Emulator.ClearRequests();
        using var again = Client();
        var response = await again.UploadAsync("ap-guangzhou", Request);
        Assert.Equal(_content.Length, response.BytesResumed);
        Assert.Equal(0, response.BytesUploaded);
        Assert.Equal(1, _h.Emulator.CommittedSessions);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation is EmulatorOperation.UploadPart or EmulatorOperation.PutObject or EmulatorOperation.ApplyUpload);
    }

    [Fact]
    public async Task ASecondRunRefusedWhileTheFirstRunsIsToldTheTruthAndFollowingItReturnsTheSameFileId()
    {
        _h.Emulator.Faults.Delay(EmulatorOperation.UploadPart, TimeSpan.FromMilliseconds(300), times: 2);
        using var first = Client(keepCommitted: true);
        var running = first.UploadAsync("ap-guangzhou", Request);
        while (_h.Emulator.Attempts(EmulatorOperation.ApplyUpload) == 0)
        {
            await Task.Delay(5);
        }

        using var second = Client(keepCommitted: true);
        var refused = await Assert.ThrowsAsync<VodRawException>(() => second.UploadAsync("ap-guangzhou", Request));
        Assert.Equal(VodRawErrorCodes.CheckpointInUse, refused.Code);
        Assert.Contains("returns the same FileId without uploading again", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InUse, ExitCodes.For(refused));
        var done = await running;

        // Doing what the message says: run again once the first has finished.
        var again = await second.UploadAsync("ap-guangzhou", Request);
        Assert.True(again.AlreadyCommitted);
        Assert.Equal(done.FileId, again.FileId);
        Assert.Equal(1, _h.Emulator.CommittedSessions);
    }

    [Fact]
    public async Task TheCliRunTwiceUploadsOnceAndTheSecondRunReportsTheFirstsFileId()
    {
        var (code1, out1, _) = await CliAsync("upload", _media);
        var (code2, out2, err2) = await CliAsync("upload", _media);

        Assert.Equal(ExitCodes.Ok, code1);
        Assert.Equal(ExitCodes.Ok, code2);
        var firstId = JsonDocument.Parse(out1).RootElement.GetProperty("fileId").GetString();
        var second = JsonDocument.Parse(out2).RootElement;
        Assert.Equal(firstId, second.GetProperty("fileId").GetString());
        Assert.True(second.GetProperty("alreadyCommitted").GetBoolean());
        Assert.Contains("already uploaded as FileId " + firstId, err2, StringComparison.Ordinal);
        Assert.Equal(1, _h.Emulator.CommittedSessions);

        // --upload-again asks for a second copy, and gets one.
        var (code3, out3, _) = await CliAsync("upload", _media, "--upload-again");
        Assert.Equal(ExitCodes.Ok, code3);
        Assert.NotEqual(firstId, JsonDocument.Parse(out3).RootElement.GetProperty("fileId").GetString());
        Assert.Equal(2, _h.Emulator.CommittedSessions);
    }

    [Fact]
    public async Task AnEmptyCheckpointDirectoryIsAUsageErrorWithOneJsonObject()
    {
        var (code, output, _) = await CliAsync("upload", _media, "--checkpoint-dir", "");
        Assert.Equal(ExitCodes.Usage, code);
        var error = JsonDocument.Parse(output).RootElement.GetProperty("error");
        Assert.Equal(ExitCodes.Usage, error.GetProperty("exitCode").GetInt32());
        Assert.Contains("--checkpoint-dir", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_h.Emulator.Requests);
    }

    [Fact]
    public async Task ACheckpointIsNeverResumedAgainstAnotherServiceButIsAgainstAnotherSpellingOfItsOwn()
    {
        using (var cts = new CancellationTokenSource())
        {
            using var client = Client(configure: o => o.ProgressInterval = TimeSpan.Zero);
            var progress = new InlineProgress(p =>
            {
                if (p.PartsCompleted >= 2)
                {
                    cts.Cancel();
                }
            });
            var paused = await Assert.ThrowsAsync<UploadCanceledException>(() => client.UploadAsync("ap-guangzhou", Request, progress, cts.Token));
            Assert.Equal(UploadInterruption.Paused, paused.Outcome);
            Assert.True(paused.BytesKept >= 2 * PartSize);
        }

        // Another service: a second emulator. The checkpoint is not its own: a fresh upload, and the first checkpoint stays.
        await using (var other = await VodEmulator.StartAsync(new VodEmulatorOptions { Credential = _h.Emulator.Credential }))
        {
            using var elsewhere = new VodUploadClient(new VodCredential(_h.Emulator.Credential.SecretId, _h.Emulator.Credential.SecretKey), new VodUploadClientOptions
            {
                VodEndpoint = other.VodEndpoint,
                CosEndpointTemplate = other.CosEndpoint + "{bucket}",
                Checkpoints = Store(),
                Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 2 },
            });
            _h.Emulator.ClearRequests();
            var response = await elsewhere.UploadAsync("ap-guangzhou", Request);
            Assert.Equal(1, other.Attempts(EmulatorOperation.ApplyUpload));
            Assert.Equal(0, other.Attempts(EmulatorOperation.ListParts));
            Assert.Equal(1, other.CommittedSessions);
            // The first service was not asked anything (what it logs now is the cancelled run's parts, cut off).
            Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation is EmulatorOperation.ApplyUpload or EmulatorOperation.ListParts
                or EmulatorOperation.ListMultipartUploads or EmulatorOperation.AbortMultipartUpload or EmulatorOperation.CommitUpload);
        }

        Assert.Single(Store().List());

        // The first service under another spelling (localhost for 127.0.0.1, a trailing //): the same service, so it resumes.
        var alias = new Uri($"http://localhost:{_h.Emulator.VodEndpoint.Port}//");
        _h.Emulator.ClearRequests();
        using var aliased = Client(vodEndpoint: alias);
        var resumed = await aliased.UploadAsync("ap-guangzhou", Request);
        Assert.True(resumed.BytesResumed >= 2 * PartSize);
        Assert.Equal(0, _h.Emulator.Attempts(EmulatorOperation.ApplyUpload));
        Assert.Equal(_content, _h.MediaObject(resumed).ReadAllBytes());
    }

    [Fact]
    public async Task APauseBeforeAnyPartIsConfirmedDoesNotClaimAnythingIsKept()
    {
        _h.Emulator.Faults.DelayReply(EmulatorOperation.UploadPart, TimeSpan.FromSeconds(30), times: 100);
        using var cts = new CancellationTokenSource();
        using var client = Client();
        var upload = client.UploadAsync("ap-guangzhou", Request, cts.Token);
        while (_h.Emulator.Attempts(EmulatorOperation.UploadPart) < 2)
        {
            Assert.False(upload.IsCompleted);
            await Task.Delay(5);
        }

        await cts.CancelAsync();
        var paused = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);
        Assert.Equal(UploadInterruption.Paused, paused.Outcome);
        Assert.Equal(0, paused.BytesKept);
        var message = UploadRun.CanceledMessage(paused);
        Assert.Contains("nothing is kept yet", message, StringComparison.Ordinal);
        Assert.DoesNotContain("what was uploaded is kept", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(11, "11 s")]
    [InlineData(59.9, "59 s")]
    [InlineData(61, "1 min")]
    [InlineData(119 * 60, "119 min")]
    [InlineData(3 * 3600, "3 h")]
    public void TimeLeftBelowAMinuteIsShownInSeconds(double seconds, string shown) =>
        Assert.Equal(shown, CheckpointsCommand.Remaining(TimeSpan.FromSeconds(seconds)));

    private async Task<(int Code, string Output, string Error)> CliAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] common = ["--region", "ap-guangzhou", "--vod-endpoint", _h.Emulator.VodEndpoint.ToString(), "--cos-endpoint", _h.Emulator.CosEndpoint.ToString(),
            "--part-size", "1MiB", "--json", "--quiet"];
        var all = args.Concat(common).ToList();
        if (!args.Contains("--checkpoint-dir"))
        {
            all.AddRange(["--checkpoint-dir", _checkpoints]);
        }

        var variables = new Dictionary<string, string>
        {
            [UploadCommand.SecretIdVariable] = _h.Emulator.Credential.SecretId,
            [UploadCommand.SecretKeyVariable] = _h.Emulator.Credential.SecretKey,
        };
        var code = await VodRawCli.RunAsync([.. all], new CliEnvironment(output, error, name => variables.GetValueOrDefault(name), Interactive: false));
        return (code, output.ToString().Trim(), error.ToString());
    }
}

/// <summary>Progress reported on the reporting thread (Progress&lt;T&gt; would post it to the pool, after the moment).</summary>
internal sealed class InlineProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
{
    public void Report(UploadProgress value) => report(value);
}
