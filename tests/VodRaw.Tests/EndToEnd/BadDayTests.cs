using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

/// <summary>
/// The ten cases of a bad day (issue 11): lost replies, odd bodies, odd files, short credentials, cancellation and
/// cleanup that fails. Each asserts that its fault fired and how the client reacted, not only the final bytes.
/// </summary>
public sealed class BadDayTests : FourPartUploadTest
{
    [Fact]
    public async Task ACompleteWhoseReplyIsLostIsConfirmedByHeadAndCommitted()
    {
        H.Emulator.Faults.LoseReply(EmulatorOperation.CompleteMultipartUpload);
        var response = await UploadAsync();
        Assert.Equal(MediaContent, H.MediaObject(response).ReadAllBytes());
        AssertEveryFaultFired();
        Assert.Equal(2, H.Emulator.Attempts(EmulatorOperation.CompleteMultipartUpload));
        Assert.Contains(H.Emulator.Requests, r => r is { Operation: EmulatorOperation.CompleteMultipartUpload, ErrorCode: "NoSuchUpload" });
        Assert.Equal(1, H.Emulator.Attempts(EmulatorOperation.HeadObject));
        Assert.Equal(1, H.Emulator.Attempts(EmulatorOperation.CommitUpload));
    }

    [Fact]
    public async Task ALostCompleteReplyIsNotMistakenForSuccessWhenTheObjectDiffers()
    {
        H.Emulator.Faults.LoseReply(EmulatorOperation.CompleteMultipartUpload);
        H.Emulator.Faults.WrongCrc64(operation: EmulatorOperation.HeadObject);
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        AssertEveryFaultFired();
        Assert.Equal("CompleteMultipartUpload", error.Operation);
        Assert.Equal(VodRawErrorCodes.Crc64Mismatch, error.Code); // another object, not a made-up NoSuchUpload
        Assert.Contains("CRC-64", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(H.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task AnInitiateWhoseReplyIsLostLeavesNoUploadOpen()
    {
        H.Emulator.Faults.LoseReply(EmulatorOperation.InitiateMultipartUpload);
        var response = await UploadAsync();
        Assert.Equal(MediaContent, H.MediaObject(response).ReadAllBytes());
        AssertEveryFaultFired();
        Assert.Equal(2, H.Emulator.Attempts(EmulatorOperation.InitiateMultipartUpload));
        Assert.Equal(1, H.Emulator.Attempts(EmulatorOperation.ListMultipartUploads));
        Assert.Single(H.Emulator.AbortedUploads); // the upload whose id never arrived
        Assert.Equal(0, H.Emulator.PendingMultipartUploads);
    }

    [Theory]
    [InlineData(EmulatorOperation.ApplyUpload)]
    [InlineData(EmulatorOperation.CommitUpload)]
    public async Task AVodInternalErrorIsRetried(EmulatorOperation operation)
    {
        H.Emulator.Faults.Fail(operation, 200, "InternalError");
        var response = await UploadAsync();
        Assert.Equal(MediaContent, H.MediaObject(response).ReadAllBytes());
        AssertEveryFaultFired();
        Assert.Equal(2, H.Emulator.Attempts(operation));
    }

    [Theory]
    [InlineData(EmulatorOperation.PutObject)]
    [InlineData(EmulatorOperation.InitiateMultipartUpload)]
    [InlineData(EmulatorOperation.UploadPart)]
    public async Task ATwoHundredWithAnErrorBodyIsRetriedOnTheCallThatGotIt(EmulatorOperation operation)
    {
        var (small, content) = H.File("small.mp4", 1000);
        var path = operation == EmulatorOperation.PutObject ? small : MediaPath;
        H.Emulator.Faults.OkWithErrorBody(operation);
        using var client = H.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });
        Assert.Equal(operation == EmulatorOperation.PutObject ? content : MediaContent, H.MediaObject(response).ReadAllBytes());
        AssertEveryFaultFired();
        var faulted = H.Emulator.Requests.Single(r => r.Fault == FaultKind.OkWithErrorBody);
        Assert.Equal(2, H.Emulator.Attempts(operation, faulted.PartNumber));
    }

    [Fact]
    public async Task APutObjectThatAlwaysAnswersAnErrorBodyFailsNamingPutObject()
    {
        var (small, _) = H.File("small.mp4", 1000);
        H.Emulator.Faults.OkWithErrorBody(EmulatorOperation.PutObject, times: 100);
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = small }));
        Assert.Equal("PutObject", error.Operation);
        Assert.Equal("InternalError", error.Code);
        Assert.Equal(4, error.Attempts);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.DoesNotContain(H.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task ACrcMismatchAfterCompleteNamesTheOperationAndRequestIdAndIsNotRetried()
    {
        H.Emulator.Faults.WrongCrc64(operation: EmulatorOperation.CompleteMultipartUpload);
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        AssertEveryFaultFired();
        Assert.Equal("CompleteMultipartUpload", error.Operation);
        Assert.Equal("Crc64Mismatch", error.Code);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Equal(1, error.Attempts);
        Assert.NotNull(error.UploadId);
        Assert.DoesNotContain(H.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task PersistentPartResetsNameThePartTheHostAndTheReason()
    {
        H.Emulator.Faults.ResetConnection(EmulatorOperation.UploadPart, afterBytes: 1000, partNumber: 2, times: 100);
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        Assert.Equal("NetworkError", error.Code);
        Assert.Equal(2, error.PartNumber);
        Assert.Equal(4, error.Attempts);
        Assert.Equal(4, H.Emulator.Attempts(EmulatorOperation.UploadPart, partNumber: 2));
        Assert.Contains("part 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(H.Emulator.CosEndpoint.Authority, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("HttpRequestException.", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
        Assert.Single(H.Emulator.AbortedUploads);
    }

    [Theory]
    [InlineData("/dev/zero", "character device")]
    [InlineData("fifo", "FIFO")]
    public async Task APathThatIsNotARegularFileIsRefusedBeforeAnyRequest(string path, string kind)
    {
        if (path == "fifo")
        {
            path = Path.Combine(H.TempDirectory, "pipe.mp4");
            using var mkfifo = System.Diagnostics.Process.Start("mkfifo", path);
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        using var client = H.Client();
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path, MediaType = "mp4" }).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(kind, error.Message, StringComparison.Ordinal);
        Assert.Empty(H.Emulator.Requests);
    }

    [Fact]
    public async Task AnUnreadableFileIsAnArgumentErrorWithTheOsReason()
    {
        var path = UnreadableFile.Create(H.TempDirectory);
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path, MediaType = "mp4" }));
        Assert.Contains("Cannot read", error.Message, StringComparison.Ordinal);
        Assert.Contains("denied", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(H.Emulator.Requests);
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
                    using var stream = new FileStream(MediaPath, FileMode.Open, FileAccess.Write);
                    stream.SetLength(2 * 1024 * 1024);
                }
                else
                {
                    // Same size, other bytes: only the last-write time tells.
                    using (var stream = new FileStream(MediaPath, FileMode.Open, FileAccess.Write))
                    {
                        stream.Position = 3 * 1024 * 1024;
                        stream.Write(new byte[10]);
                    }

                    File.SetLastWriteTimeUtc(MediaPath, DateTime.UtcNow.AddMinutes(5));
                }
            }
        });
        using var client = H.Client(o => { o.ProgressInterval = TimeSpan.Zero; o.Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize, Concurrency = 1 }; });
        var error = await Assert.ThrowsAsync<FileChangedException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }, progress));
        Assert.Equal(1, changed);
        Assert.Equal("FileChanged", error.Code);
        Assert.Equal(MediaPath, error.Path);
        Assert.Contains(MediaPath, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(H.Emulator.Requests, r => r.Operation is EmulatorOperation.CommitUpload or EmulatorOperation.CompleteMultipartUpload);
        Assert.Single(H.Emulator.AbortedUploads);
        Assert.Equal(0, H.Emulator.PendingMultipartUploads);
        Assert.Equal(H.Pool.Rents, H.Pool.Returns);
    }

    [Fact]
    public async Task AFileThatShrinksUnderAStreamedPartFailsAtOnceAsAFileChangeNotANetworkError()
    {
        // Parts are read while they are sent: the shortfall is found inside the request body, mid-part. Progress is
        // reported after each chunk is written, so the file shrinks once part 1's first MiB is sent.
        var (path, _) = H.File("shrinks.mp4", 4 * 1024 * 1024);
        var changed = 0;
        var progress = new SynchronousProgress<UploadProgress>(p =>
        {
            if (p.BytesUploaded >= 1024 * 1024 && p.PartsCompleted == 0 && Interlocked.Exchange(ref changed, 1) == 0)
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
                stream.SetLength((1024 * 1024) + 100); // part 1's second MiB now has 100 bytes
            }
        });
        using var client = H.Client(o => { o.ProgressInterval = TimeSpan.Zero; o.Transfer = new TransferOptions { PartSize = 2 * TransferOptions.MinPartSize, Concurrency = 1 }; });

        var error = await Assert.ThrowsAsync<FileChangedException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path }, progress));

        Assert.Equal(1, changed);
        Assert.True(error.Message.Contains("only 1048676 of 2097152", StringComparison.Ordinal), error.Message);
        Assert.True(H.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.UploadPart) <= 2, "the broken part was not sent again");
        Assert.Single(H.Emulator.AbortedUploads);
        Assert.Equal(H.Pool.Rents, H.Pool.Returns);
    }

    [Fact]
    public async Task AShortLivedCredentialStillCarriesASmallUpload()
    {
        H.Emulator.TemporaryCredentialLifetime = TimeSpan.FromSeconds(30);
        var (small, content) = H.File("small.mp4", 1024);
        using var client = H.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = small });
        Assert.Equal(content, H.MediaObject(response).ReadAllBytes());
    }

    [Fact]
    public async Task ACredentialThatHasRunOutStopsTheNextRequestAsALocalDecision()
    {
        H.Emulator.TemporaryCredentialLifetime = TimeSpan.FromSeconds(3);
        using var client = H.Client(); // default 5 s skew allowance > 3 s of life
        var error = await Assert.ThrowsAsync<CredentialExpiredException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        Assert.Equal("CredentialExpired", error.Code);
        Assert.Null(error.Operation);
        Assert.False(error.IsTransient);
        Assert.Contains(error.ExpiredAt.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(H.Emulator.Requests, r => r.Operation is EmulatorOperation.UploadPart or EmulatorOperation.PutObject or EmulatorOperation.InitiateMultipartUpload);
        Assert.Equal(H.Pool.Rents, H.Pool.Returns);
    }

    [Fact]
    public async Task CancellingDuringApplyUploadReportsNothingStarted()
    {
        H.Emulator.Faults.Delay(EmulatorOperation.ApplyUpload, TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        using var client = H.Client();
        var upload = client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }, cts.Token);
        await WaitUntilAsync(() => H.Emulator.Faults.FiredRules.Count == 1);
        await cts.CancelAsync();
        var error = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);
        Assert.Equal(UploadInterruption.NothingStarted, error.Outcome);
        Assert.Contains("before anything was written", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingMidMultipartReportsTheAbort()
    {
        H.Emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 2);
        var error = await CancelWhenAsync(() => H.Emulator.Faults.FiredRules.Count == 1);
        Assert.Equal(UploadInterruption.Aborted, error.Outcome);
        Assert.Single(H.Emulator.AbortedUploads);
        Assert.Equal(0, H.Emulator.PendingMultipartUploads);
    }

    [Fact]
    public async Task CancellingAfterCosAppliedCompleteReportsStoredButNotCommitted()
    {
        H.Emulator.Faults.DelayReply(EmulatorOperation.CompleteMultipartUpload, TimeSpan.FromSeconds(30));
        var error = await CancelWhenAsync(() => H.Emulator.Requests.Any(r => r is { Operation: EmulatorOperation.CompleteMultipartUpload, Status: 200 }));
        Assert.Equal(UploadInterruption.StoredNotCommitted, error.Outcome);
        Assert.Contains(H.Emulator.Requests, r => r is { Operation: EmulatorOperation.AbortMultipartUpload, ErrorCode: "NoSuchUpload" });
        Assert.Empty(H.Emulator.AbortedUploads);
        Assert.DoesNotContain(H.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task CancellingWhileCommitUploadIsInFlightSaysItMayHaveApplied()
    {
        H.Emulator.Faults.DelayReply(EmulatorOperation.CommitUpload, TimeSpan.FromSeconds(30));
        var error = await CancelWhenAsync(() => H.Emulator.Requests.Any(r => r.Operation == EmulatorOperation.CommitUpload));
        Assert.Equal(UploadInterruption.CommitMayHaveApplied, error.Outcome);
        Assert.Contains("may already be in the library", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingWhenTheAbortFailsNamesTheUploadLeftOpen()
    {
        H.Emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 2);
        H.Emulator.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 503, "ServiceUnavailable", times: 100);
        var error = await CancelWhenAsync(() => H.Emulator.Faults.FiredRules.Count == 1);
        Assert.Equal(UploadInterruption.AbortFailed, error.Outcome);
        var open = Assert.Single(error.OpenUploads);
        var pending = Assert.Single(H.Emulator.PendingUploadIds);
        Assert.Equal(pending, open.UploadId);
        Assert.Contains(pending, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, H.Emulator.Attempts(EmulatorOperation.AbortMultipartUpload));
    }

    [Fact]
    public async Task APermanentFailureWhoseAbortAlsoFailsNamesTheUploadLeftOpen()
    {
        H.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", partNumber: 1);
        H.Emulator.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 500, "InternalError", times: 100);
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        AssertEveryFaultFired();
        Assert.Equal("AccessDenied", error.Code);
        var open = Assert.Single(error.OpenUploads);
        Assert.Equal(Assert.Single(H.Emulator.PendingUploadIds), open.UploadId);
        Assert.Contains(open.UploadId, error.Message, StringComparison.Ordinal);
        Assert.Contains("left open", error.Message, StringComparison.Ordinal);
        Assert.Equal(CosRetryBudget.Abort, H.Emulator.Attempts(EmulatorOperation.AbortMultipartUpload));
    }

    [Fact]
    public async Task ACommitRefusedAfterALostReplySaysTheFirstAttemptMayHaveSucceeded()
    {
        H.Emulator.Faults.ResetConnection(EmulatorOperation.CommitUpload);
        H.Emulator.Faults.Fail(EmulatorOperation.CommitUpload, 200, "InvalidParameterValue.VodSessionKey");
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<CommitOutcomeUnknownException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        AssertEveryFaultFired();
        Assert.Equal(VodRawErrorCodes.CommitOutcomeUnknown, error.Code);
        var refusal = Assert.IsType<VodApiException>(error.InnerException);
        Assert.Equal("InvalidParameterValue.VodSessionKey", refusal.Code);
        Assert.Equal(2, error.Attempts);
        Assert.Contains("may already be in VOD", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("/", error.MediaStoragePath, StringComparison.Ordinal);
        Assert.Contains(error.MediaStoragePath!, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("safe to repeat", error.Message, StringComparison.Ordinal);
    }

    private async Task<UploadCanceledException> CancelWhenAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource();
        using var client = H.Client();
        var upload = client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }, cts.Token);
        await WaitUntilAsync(() => condition() || upload.IsCompleted);
        Assert.False(upload.IsCompleted, "the upload ended before the moment to cancel: " + upload.Exception?.InnerException
            + "\n" + string.Join("\n", H.Emulator.Requests));
        await cts.CancelAsync();
        var error = await Assert.ThrowsAsync<UploadCanceledException>(() => upload.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(H.Pool.Rents, H.Pool.Returns);
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
        using var client = H.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath });
        Assert.Equal(H.Pool.Rents, H.Pool.Returns);
        return response;
    }

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
