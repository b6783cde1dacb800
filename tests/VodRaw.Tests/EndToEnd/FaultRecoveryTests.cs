using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

public sealed class FaultRecoveryTests : FourPartUploadTest
{
    [Fact]
    public async Task RetriesAPartThatFailsOnceWithA5xx()
    {
        H.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "ServiceUnavailable", partNumber: 2);
        await UploadAndVerifyAsync();
        Assert.Equal(2, H.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.UploadPart && r.PartNumber == 2));
    }

    [Fact]
    public async Task RetriesAPartWhoseConnectionIsResetMidBody()
    {
        H.Emulator.Faults.ResetConnection(EmulatorOperation.UploadPart, afterBytes: 100_000, partNumber: 3);
        await UploadAndVerifyAsync();
        Assert.Equal(2, H.Emulator.Attempts(EmulatorOperation.UploadPart, partNumber: 3));
    }

    [Fact]
    public async Task RetriesASlowDownAndSendsTheRetryAfterTheClientReads()
    {
        // The wait itself is timed on a fake clock in HttpSenderTests; here: the header reaches the client and it retries.
        H.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "SlowDown", partNumber: 1, retryAfter: TimeSpan.FromSeconds(1));
        await UploadAndVerifyAsync(o => o.Retry = new RetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) });
        Assert.Equal(2, H.Emulator.Attempts(EmulatorOperation.UploadPart, partNumber: 1));
    }

    [Fact]
    public async Task AbandonsAStalledPartAndRetriesIt()
    {
        H.Emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 2);
        await UploadAndVerifyAsync(o => o.InactivityTimeout = TimeSpan.FromMilliseconds(500));
        // The stalled attempt is logged only when its connection goes; the stall fired on the first attempt, so a
        // stored part 2 is the retry's.
        Assert.Contains(H.Emulator.Requests, r => r is { Operation: EmulatorOperation.UploadPart, PartNumber: 2, Status: 200, Fault: null });
    }

    [Fact]
    public async Task RetriesAPartWhoseCrcDoesNotMatch()
    {
        H.Emulator.Faults.WrongCrc64(partNumber: 4);
        await UploadAndVerifyAsync();
        Assert.Equal(2, H.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.UploadPart && r.PartNumber == 4));
    }

    [Fact]
    public async Task FailsNamingThePartWhenItsCrcNeverMatchesAndAbortsTheUpload()
    {
        H.Emulator.Faults.WrongCrc64(partNumber: 2, times: 100);
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        Assert.Equal("Crc64Mismatch", error.Code);
        Assert.Equal(2, error.PartNumber);
        Assert.Equal(4, error.Attempts);
        Assert.Contains("part 2", error.Message, StringComparison.Ordinal);
        Assert.Single(H.Emulator.AbortedUploads);
        Assert.Equal(0, H.Emulator.PendingMultipartUploads);
        Assert.DoesNotContain(H.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
        Assert.Equal(H.Pool.Rents, H.Pool.Returns);
    }

    [Fact]
    public async Task RetriesACompleteThatAnsweredTwoHundredWithAnError()
    {
        H.Emulator.Faults.CompleteWithErrorBody();
        await UploadAndVerifyAsync();
        Assert.Equal(2, H.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.CompleteMultipartUpload));
    }

    [Fact]
    public async Task RetriesApplyUploadWhenTheApiIsRateLimited()
    {
        H.Emulator.Faults.RateLimitVod(EmulatorOperation.ApplyUpload);
        await UploadAndVerifyAsync();
        Assert.Equal(2, H.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.ApplyUpload));
    }

    [Fact]
    public async Task RetriesCommitUploadAfterATransportFailure()
    {
        H.Emulator.Faults.ResetConnection(EmulatorOperation.CommitUpload);
        await UploadAndVerifyAsync();
        Assert.Equal(2, H.Emulator.Attempts(EmulatorOperation.CommitUpload));
    }

    [Fact]
    public async Task DoesNotRetryAPermanentCosError()
    {
        H.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", partNumber: 1);
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        Assert.Equal("AccessDenied", error.Code);
        Assert.Equal(403, error.Status);
        Assert.False(error.IsTransient);
        Assert.Equal(1, error.Attempts);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.False(string.IsNullOrEmpty(error.TraceId));
        Assert.Single(H.Emulator.AbortedUploads);
    }

    [Fact]
    public async Task SurfacesVodApiErrorsWithCodeAndRequestId()
    {
        H.Emulator.Faults.Fail(EmulatorOperation.ApplyUpload, 200, "InvalidParameterValue.SubAppId");
        using var client = H.Client();
        var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        Assert.Equal("InvalidParameterValue.SubAppId", error.Code);
        Assert.Equal("ApplyUpload", error.Action);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task RefusesToStartPartsWithinTheSkewAllowanceOfTheExpiry()
    {
        H.Emulator.TemporaryCredentialLifetime = TimeSpan.FromSeconds(30);
        using var client = H.Client(o => o.CredentialExpiryMargin = TimeSpan.FromSeconds(60));
        var error = await Assert.ThrowsAsync<CredentialExpiredException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }));
        Assert.False(error.IsTransient);
        Assert.DoesNotContain(H.Emulator.Requests, r => r.Operation is EmulatorOperation.UploadPart or EmulatorOperation.PutObject);
        Assert.Equal(H.Pool.Rents, H.Pool.Returns);
    }

    [Fact]
    public async Task CancellationAbortsTheMultipartUploadAndThrowsOperationCanceled()
    {
        H.Emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 3);
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<UploadProgress>(p =>
        {
            if (p.PartsCompleted >= 1)
            {
                cts.Cancel();
            }
        });
        using var client = H.Client(o => { o.ProgressInterval = TimeSpan.Zero; o.Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize, Concurrency = 1 }; });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath }, progress, cts.Token));
        Assert.Single(H.Emulator.AbortedUploads);
        Assert.Equal(0, H.Emulator.PendingMultipartUploads);
        Assert.DoesNotContain(H.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
        Assert.Equal(H.Pool.Rents, H.Pool.Returns);
    }

    private async Task UploadAndVerifyAsync(Action<VodUploadClientOptions>? configure = null)
    {
        using var client = H.Client(configure);
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = MediaPath });
        Assert.Equal(MediaContent, H.MediaObject(response).ReadAllBytes());
        Assert.Equal(H.Pool.Rents, H.Pool.Returns);
        AssertEveryFaultFired();
    }
}
