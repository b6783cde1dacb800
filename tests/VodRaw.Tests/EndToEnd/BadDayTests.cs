using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

/// <summary>
/// The ten cases of a bad day (issue 11): lost replies, odd bodies, odd files, short credentials, cancellation and
/// cleanup that fails. Each asserts that its fault fired and how the client reacted, not only the final bytes.
/// </summary>
public sealed class BadDayTests : IAsyncLifetime
{
    private UploadHarness _h = null!;
    private string _path = null!;
    private byte[] _content = null!;

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync();
        (_path, _content) = _h.File("media.mp4", (3 * 1024 * 1024) + 100); // four 1 MiB parts
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task ACompleteWhoseReplyIsLostIsConfirmedByHeadAndCommitted()
    {
        _h.Emulator.Faults.LoseReply(EmulatorOperation.CompleteMultipartUpload);
        var response = await UploadAsync();
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        AssertEveryFaultFired();
        Assert.Equal(2, _h.Emulator.Attempts(EmulatorOperation.CompleteMultipartUpload));
        Assert.Contains(_h.Emulator.Requests, r => r is { Operation: EmulatorOperation.CompleteMultipartUpload, ErrorCode: "NoSuchUpload" });
        Assert.Equal(1, _h.Emulator.Attempts(EmulatorOperation.HeadObject));
        Assert.Equal(1, _h.Emulator.Attempts(EmulatorOperation.CommitUpload));
    }

    [Fact]
    public async Task ALostCompleteReplyIsNotMistakenForSuccessWhenTheObjectDiffers()
    {
        _h.Emulator.Faults.LoseReply(EmulatorOperation.CompleteMultipartUpload);
        _h.Emulator.Faults.WrongCrc64(operation: EmulatorOperation.HeadObject);
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        AssertEveryFaultFired();
        Assert.Equal("CompleteMultipartUpload", error.Operation);
        Assert.Equal("NoSuchUpload", error.Code);
        Assert.Contains("CRC-64", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task AnInitiateWhoseReplyIsLostLeavesNoUploadOpen()
    {
        _h.Emulator.Faults.LoseReply(EmulatorOperation.InitiateMultipartUpload);
        var response = await UploadAsync();
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        AssertEveryFaultFired();
        Assert.Equal(2, _h.Emulator.Attempts(EmulatorOperation.InitiateMultipartUpload));
        Assert.Equal(1, _h.Emulator.Attempts(EmulatorOperation.ListMultipartUploads));
        Assert.Single(_h.Emulator.AbortedUploads); // the upload whose id never arrived
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
    }

    [Theory]
    [InlineData(EmulatorOperation.ApplyUpload)]
    [InlineData(EmulatorOperation.CommitUpload)]
    public async Task AVodInternalErrorIsRetried(EmulatorOperation operation)
    {
        _h.Emulator.Faults.Fail(operation, 200, "InternalError");
        var response = await UploadAsync();
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        AssertEveryFaultFired();
        Assert.Equal(2, _h.Emulator.Attempts(operation));
    }

    [Theory]
    [InlineData(EmulatorOperation.PutObject)]
    [InlineData(EmulatorOperation.InitiateMultipartUpload)]
    [InlineData(EmulatorOperation.UploadPart)]
    public async Task ATwoHundredWithAnErrorBodyIsRetriedOnTheCallThatGotIt(EmulatorOperation operation)
    {
        var (small, content) = _h.File("small.mp4", 1000);
        var path = operation == EmulatorOperation.PutObject ? small : _path;
        _h.Emulator.Faults.OkWithErrorBody(operation);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });
        Assert.Equal(operation == EmulatorOperation.PutObject ? content : _content, _h.MediaObject(response).ReadAllBytes());
        AssertEveryFaultFired();
        var faulted = _h.Emulator.Requests.Single(r => r.Fault == FaultKind.OkWithErrorBody);
        Assert.Equal(2, _h.Emulator.Attempts(operation, faulted.PartNumber));
    }

    [Fact]
    public async Task APutObjectThatAlwaysAnswersAnErrorBodyFailsNamingPutObject()
    {
        var (small, _) = _h.File("small.mp4", 1000);
        _h.Emulator.Faults.OkWithErrorBody(EmulatorOperation.PutObject, times: 100);
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = small }));
        Assert.Equal("PutObject", error.Operation);
        Assert.Equal("InternalError", error.Code);
        Assert.Equal(4, error.Attempts);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task ACrcMismatchAfterCompleteNamesTheOperationAndRequestIdAndIsNotRetried()
    {
        _h.Emulator.Faults.WrongCrc64(operation: EmulatorOperation.CompleteMultipartUpload);
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        AssertEveryFaultFired();
        Assert.Equal("CompleteMultipartUpload", error.Operation);
        Assert.Equal("Crc64Mismatch", error.Code);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Equal(1, error.Attempts);
        Assert.NotNull(error.UploadId);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task PersistentPartResetsNameThePartTheHostAndTheReason()
    {
        _h.Emulator.Faults.ResetConnection(EmulatorOperation.UploadPart, afterBytes: 1000, partNumber: 2, times: 100);
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        Assert.Equal("NetworkError", error.Code);
        Assert.Equal(2, error.PartNumber);
        Assert.Equal(4, error.Attempts);
        Assert.Equal(4, _h.Emulator.Attempts(EmulatorOperation.UploadPart, partNumber: 2));
        Assert.Contains("part 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(_h.Emulator.CosEndpoint.Authority, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("HttpRequestException.", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
        Assert.Single(_h.Emulator.AbortedUploads);
    }

    [Theory]
    [InlineData("/dev/zero", "character device")]
    [InlineData("fifo", "FIFO")]
    public async Task APathThatIsNotARegularFileIsRefusedBeforeAnyRequest(string path, string kind)
    {
        if (path == "fifo")
        {
            path = Path.Combine(_h.TempDirectory, "pipe.mp4");
            using var mkfifo = System.Diagnostics.Process.Start("mkfifo", path);
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path, MediaType = "mp4" }).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(kind, error.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Emulator.Requests);
    }

    [Fact]
    public async Task AnUnreadableFileIsAnArgumentErrorWithTheOsReason()
    {
        var path = UnreadableFile.Create(_h.TempDirectory);
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path, MediaType = "mp4" }));
        Assert.Contains("Cannot read", error.Message, StringComparison.Ordinal);
        Assert.Contains("denied", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_h.Emulator.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFileThatChangesWhileItUploadsFailsAndNothingIsCommitted(bool truncate)
    {
        var changed = 0;
        var progress = new SynchronousProgress<UploadProgress>(p =>
        {
            if (p.PartsCompleted >= 1 && Interlocked.Exchange(ref changed, 1) == 0)
            {
                if (truncate)
                {
                    using var stream = new FileStream(_path, FileMode.Open, FileAccess.Write);
                    stream.SetLength(2 * 1024 * 1024);
                }
                else
                {
                    // Same size, other bytes: only the last-write time tells.
                    using (var stream = new FileStream(_path, FileMode.Open, FileAccess.Write))
                    {
                        stream.Position = 3 * 1024 * 1024;
                        stream.Write(new byte[10]);
                    }

                    File.SetLastWriteTimeUtc(_path, DateTime.UtcNow.AddMinutes(5));
                }
            }
        });
        using var client = _h.Client(o => { o.ProgressInterval = TimeSpan.Zero; o.Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize, Concurrency = 1 }; });
        var error = await Assert.ThrowsAsync<FileChangedException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }, progress));
        Assert.Equal(1, changed);
        Assert.Equal("FileChanged", error.Code);
        Assert.Equal(_path, error.Path);
        Assert.Contains(_path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation is EmulatorOperation.CommitUpload or EmulatorOperation.CompleteMultipartUpload);
        Assert.Single(_h.Emulator.AbortedUploads);
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task AShortLivedCredentialStillCarriesASmallUpload()
    {
        _h.Emulator.TemporaryCredentialLifetime = TimeSpan.FromSeconds(30);
        var (small, content) = _h.File("small.mp4", 1024);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = small });
        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task ACredentialThatHasRunOutStopsTheNextRequestAsALocalDecision()
    {
        _h.Emulator.TemporaryCredentialLifetime = TimeSpan.FromSeconds(3);
        using var client = _h.Client(); // default 5 s skew allowance > 3 s of life
        var error = await Assert.ThrowsAsync<CredentialExpiredException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        Assert.Equal("CredentialExpired", error.Code);
        Assert.Null(error.Operation);
        Assert.False(error.IsTransient);
        Assert.Contains(error.ExpiredAt.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation is EmulatorOperation.UploadPart or EmulatorOperation.PutObject or EmulatorOperation.InitiateMultipartUpload);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task CancellingDuringApplyUploadReportsNothingStarted()
    {
        _h.Emulator.Faults.Delay(EmulatorOperation.ApplyUpload, TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        using var client = _h.Client();
        var upload = client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }, cts.Token);
        await WaitUntilAsync(() => _h.Emulator.Faults.FiredRules.Count == 1);
        await cts.CancelAsync();
        var error = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);
        Assert.Equal(UploadInterruption.NothingStarted, error.Outcome);
        Assert.Contains("before anything was written", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingMidMultipartReportsTheAbort()
    {
        _h.Emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 2);
        var error = await CancelWhenAsync(() => _h.Emulator.Faults.FiredRules.Count == 1);
        Assert.Equal(UploadInterruption.Aborted, error.Outcome);
        Assert.Single(_h.Emulator.AbortedUploads);
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
    }

    [Fact]
    public async Task CancellingAfterCosAppliedCompleteReportsStoredButNotCommitted()
    {
        _h.Emulator.Faults.DelayReply(EmulatorOperation.CompleteMultipartUpload, TimeSpan.FromSeconds(30));
        var error = await CancelWhenAsync(() => _h.Emulator.Requests.Any(r => r is { Operation: EmulatorOperation.CompleteMultipartUpload, Status: 200 }));
        Assert.Equal(UploadInterruption.StoredNotCommitted, error.Outcome);
        Assert.Contains(_h.Emulator.Requests, r => r is { Operation: EmulatorOperation.AbortMultipartUpload, ErrorCode: "NoSuchUpload" });
        Assert.Empty(_h.Emulator.AbortedUploads);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task CancellingWhileCommitUploadIsInFlightSaysItMayHaveApplied()
    {
        _h.Emulator.Faults.DelayReply(EmulatorOperation.CommitUpload, TimeSpan.FromSeconds(30));
        var error = await CancelWhenAsync(() => _h.Emulator.Requests.Any(r => r.Operation == EmulatorOperation.CommitUpload));
        Assert.Equal(UploadInterruption.CommitMayHaveApplied, error.Outcome);
        Assert.Contains("may already be in the library", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingWhenTheAbortFailsNamesTheUploadLeftOpen()
    {
        _h.Emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 2);
        _h.Emulator.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 503, "ServiceUnavailable", times: 100);
        var error = await CancelWhenAsync(() => _h.Emulator.Faults.FiredRules.Count == 1);
        Assert.Equal(UploadInterruption.AbortFailed, error.Outcome);
        var open = Assert.Single(error.OpenUploads);
        var pending = Assert.Single(_h.Emulator.PendingUploadIds);
        Assert.Equal(pending, open.UploadId);
        Assert.Contains(pending, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _h.Emulator.Attempts(EmulatorOperation.AbortMultipartUpload));
    }

    [Fact]
    public async Task APermanentFailureWhoseAbortAlsoFailsNamesTheUploadLeftOpen()
    {
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", partNumber: 1);
        _h.Emulator.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 500, "InternalError", times: 100);
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        AssertEveryFaultFired();
        Assert.Equal("AccessDenied", error.Code);
        var open = Assert.Single(error.OpenUploads);
        Assert.Equal(Assert.Single(_h.Emulator.PendingUploadIds), open.UploadId);
        Assert.Contains(open.UploadId, error.Message, StringComparison.Ordinal);
        Assert.Contains("left open", error.Message, StringComparison.Ordinal);
        Assert.Equal(CosRetryBudget.Abort, _h.Emulator.Attempts(EmulatorOperation.AbortMultipartUpload));
    }

    [Fact]
    public async Task ACommitRefusedAfterALostReplySaysTheFirstAttemptMayHaveSucceeded()
    {
        _h.Emulator.Faults.ResetConnection(EmulatorOperation.CommitUpload);
        _h.Emulator.Faults.Fail(EmulatorOperation.CommitUpload, 200, "InvalidParameterValue.VodSessionKey");
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        AssertEveryFaultFired();
        Assert.Equal("InvalidParameterValue.VodSessionKey", error.Code);
        Assert.Equal(2, error.Attempts);
        Assert.Contains("may have succeeded", error.Message, StringComparison.Ordinal);
    }

    private async Task<UploadCanceledException> CancelWhenAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource();
        using var client = _h.Client();
        var upload = client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }, cts.Token);
        await WaitUntilAsync(() => condition() || upload.IsCompleted);
        Assert.False(upload.IsCompleted, "the upload ended before the moment to cancel: " + upload.Exception?.InnerException
            + "\n" + string.Join("\n", _h.Emulator.Requests));
        await cts.CancelAsync();
        var error = await Assert.ThrowsAsync<UploadCanceledException>(() => upload.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
        return error;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, limit.Token);
        }
    }

    private async Task<VodUploadResponse> UploadAsync()
    {
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path });
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
        return response;
    }

    private void AssertEveryFaultFired() =>
        Assert.All(_h.Emulator.Faults.Rules, rule => Assert.True(rule.Fired > 0, $"the {rule.Kind} fault on {rule.Operation} never fired"));
}

/// <summary>The attempt budgets the tests rely on.</summary>
internal static class CosRetryBudget
{
    public const int Abort = VodRaw.Cos.CosObjectTarget.AbortAttempts;
}

/// <summary>A file the current user cannot read, even as root.</summary>
internal static class UnreadableFile
{
    public static string Create(string directory)
    {
        string path;
        if (Environment.UserName != "root" && !OperatingSystem.IsWindows())
        {
            path = Path.Combine(directory, "locked.mp4");
            File.WriteAllBytes(path, new byte[100]);
            File.SetUnixFileMode(path, UnixFileMode.None);
        }
        else
        {
            // Root reads any ordinary file; a write-only sysctl refuses reads even to root.
            path = "/proc/sys/vm/compact_memory";
        }

        Assert.ThrowsAny<UnauthorizedAccessException>(() => File.OpenRead(path).Dispose()); // the precondition holds
        return path;
    }
}
