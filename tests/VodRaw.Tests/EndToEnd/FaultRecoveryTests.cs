using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

public sealed class FaultRecoveryTests : IAsyncLifetime
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
    public async Task RetriesAPartThatFailsOnceWithA5xx()
    {
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "ServiceUnavailable", partNumber: 2);
        await UploadAndVerifyAsync();
        Assert.Equal(2, _h.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.UploadPart && r.PartNumber == 2));
    }

    [Fact]
    public async Task RetriesAPartWhoseConnectionIsResetMidBody()
    {
        _h.Emulator.Faults.ResetConnection(EmulatorOperation.UploadPart, afterBytes: 100_000, partNumber: 3);
        await UploadAndVerifyAsync();
        Assert.Equal(2, _h.Emulator.Attempts(EmulatorOperation.UploadPart, partNumber: 3));
    }

    [Fact]
    public async Task RetriesASlowDownAndSendsTheRetryAfterTheClientReads()
    {
        // The wait itself is timed on a fake clock in HttpSenderTests; here: the header reaches the client and it retries.
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "SlowDown", partNumber: 1, retryAfter: TimeSpan.FromSeconds(1));
        await UploadAndVerifyAsync(o => o.Retry = new RetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) });
        Assert.Equal(2, _h.Emulator.Attempts(EmulatorOperation.UploadPart, partNumber: 1));
    }

    [Fact]
    public async Task AbandonsAStalledPartAndRetriesIt()
    {
        _h.Emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 2);
        await UploadAndVerifyAsync(o => o.InactivityTimeout = TimeSpan.FromMilliseconds(500));
        // The stalled attempt is logged only when its connection goes; the stall fired on the first attempt, so a
        // stored part 2 is the retry's.
        Assert.Contains(_h.Emulator.Requests, r => r is { Operation: EmulatorOperation.UploadPart, PartNumber: 2, Status: 200, Fault: null });
    }

    [Fact]
    public async Task RetriesAPartWhoseCrcDoesNotMatch()
    {
        _h.Emulator.Faults.WrongCrc64(partNumber: 4);
        await UploadAndVerifyAsync();
        Assert.Equal(2, _h.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.UploadPart && r.PartNumber == 4));
    }

    [Fact]
    public async Task FailsNamingThePartWhenItsCrcNeverMatchesAndAbortsTheUpload()
    {
        _h.Emulator.Faults.WrongCrc64(partNumber: 2, times: 100);
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        Assert.Equal("Crc64Mismatch", error.Code);
        Assert.Equal(2, error.PartNumber);
        Assert.Equal(4, error.Attempts);
        Assert.Contains("part 2", error.Message, StringComparison.Ordinal);
        Assert.Single(_h.Emulator.AbortedUploads);
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task RetriesACompleteThatAnsweredTwoHundredWithAnError()
    {
        _h.Emulator.Faults.CompleteWithErrorBody();
        await UploadAndVerifyAsync();
        Assert.Equal(2, _h.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.CompleteMultipartUpload));
    }

    [Fact]
    public async Task RetriesApplyUploadWhenTheApiIsRateLimited()
    {
        _h.Emulator.Faults.RateLimitVod(EmulatorOperation.ApplyUpload);
        await UploadAndVerifyAsync();
        Assert.Equal(2, _h.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.ApplyUpload));
    }

    [Fact]
    public async Task RetriesCommitUploadAfterATransportFailure()
    {
        _h.Emulator.Faults.ResetConnection(EmulatorOperation.CommitUpload);
        await UploadAndVerifyAsync();
        Assert.Equal(2, _h.Emulator.Attempts(EmulatorOperation.CommitUpload));
    }

    [Fact]
    public async Task DoesNotRetryAPermanentCosError()
    {
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", partNumber: 1);
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        Assert.Equal("AccessDenied", error.Code);
        Assert.Equal(403, error.Status);
        Assert.False(error.IsTransient);
        Assert.Equal(1, error.Attempts);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.False(string.IsNullOrEmpty(error.TraceId));
        Assert.Single(_h.Emulator.AbortedUploads);
    }

    [Fact]
    public async Task SurfacesVodApiErrorsWithCodeAndRequestId()
    {
        _h.Emulator.Faults.Fail(EmulatorOperation.ApplyUpload, 200, "InvalidParameterValue.SubAppId");
        using var client = _h.Client();
        var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        Assert.Equal("InvalidParameterValue.SubAppId", error.Code);
        Assert.Equal("ApplyUpload", error.Action);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task RefusesToStartPartsWithinTheSkewAllowanceOfTheExpiry()
    {
        _h.Emulator.TemporaryCredentialLifetime = TimeSpan.FromSeconds(30);
        using var client = _h.Client(o => o.CredentialExpiryMargin = TimeSpan.FromSeconds(60));
        var error = await Assert.ThrowsAsync<CredentialExpiredException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }));
        Assert.False(error.IsTransient);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation is EmulatorOperation.UploadPart or EmulatorOperation.PutObject);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task CancellationAbortsTheMultipartUploadAndThrowsOperationCanceled()
    {
        _h.Emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 3);
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<UploadProgress>(p =>
        {
            if (p.PartsCompleted >= 1)
            {
                cts.Cancel();
            }
        });
        using var client = _h.Client(o => { o.ProgressInterval = TimeSpan.Zero; o.Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize, Concurrency = 1 }; });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path }, progress, cts.Token));
        Assert.Single(_h.Emulator.AbortedUploads);
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    private async Task UploadAndVerifyAsync(Action<VodUploadClientOptions>? configure = null)
    {
        using var client = _h.Client(configure);
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _path });
        Assert.Equal(_content, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
        Assert.All(_h.Emulator.Faults.Rules, rule => Assert.True(rule.Fired > 0, $"the {rule.Kind} fault on {rule.Operation} never fired"));
    }
}
