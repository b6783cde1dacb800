using VodRaw.Http;

namespace VodRaw.Tests.Http;

/// <summary>The retry table, row by row (spec/retries.md is the same table in prose).</summary>
public sealed class RetryPolicyTests
{
    public static TheoryData<string, string, int?, string, bool, string> Rows => new()
    {
        // Transport trouble and unusable replies: every operation is repeated.
        { "UploadPart", "Transport", null, "NetworkError", false, "Retry" },
        { "CommitUpload", "Timeout", null, "Timeout", false, "Retry" },
        { "PutObject", "InvalidResponse", 200, "InternalError", false, "Retry" },
        { "ApplyUpload", "InvalidResponse", 200, "InvalidResponse", false, "Retry" },
        // Integrity: a part is re-sent, an assembled object is not.
        { "UploadPart", "IntegrityMismatch", 200, "Crc64Mismatch", false, "Retry" },
        { "CompleteMultipartUpload", "IntegrityMismatch", 200, "Crc64Mismatch", false, "Fail" },
        // COS statuses and codes.
        { "UploadPart", "ErrorResponse", 503, "ServiceUnavailable", false, "Retry" },
        { "UploadPart", "ErrorResponse", 503, "SlowDown", false, "Retry" },
        { "PutObject", "ErrorResponse", 400, "RequestTimeout", false, "Retry" },
        { "PutObject", "ErrorResponse", 429, "HttpStatus429", false, "Retry" },
        { "UploadPart", "ErrorResponse", 403, "AccessDenied", false, "Fail" },
        { "UploadPart", "ErrorResponse", 400, "BadDigest", false, "Fail" },
        { "UploadPart", "ErrorResponse", 404, "NoSuchUpload", true, "Fail" },
        // Idempotency rules.
        { "CompleteMultipartUpload", "ErrorResponse", 404, "NoSuchUpload", true, "Verify" },
        { "CompleteMultipartUpload", "ErrorResponse", 404, "NoSuchUpload", false, "Fail" },
        { "AbortMultipartUpload", "ErrorResponse", 404, "NoSuchUpload", false, "AlreadyDone" },
        { "AbortMultipartUpload", "ErrorResponse", 503, "ServiceUnavailable", false, "Retry" },
        { "ListParts", "ErrorResponse", 404, "NoSuchUpload", false, "AlreadyDone" },
        { "ListParts", "ErrorResponse", 403, "AccessDenied", false, "Fail" },
        { "HeadObject", "ErrorResponse", 404, "NoSuchKey", false, "AlreadyDone" },
        { "HeadObject", "ErrorResponse", 404, "HttpStatus404", false, "AlreadyDone" },
        { "HeadObject", "ErrorResponse", 403, "AccessDenied", false, "Fail" },
        { "CommitUpload", "Transport", null, "NetworkError", false, "Retry" },
        // VOD API envelope codes.
        { "ApplyUpload", "ErrorResponse", 200, "InternalError", false, "Retry" },
        { "CommitUpload", "ErrorResponse", 200, "InternalError", false, "Retry" },
        { "ApplyUpload", "ErrorResponse", 200, "RequestLimitExceeded.UinLimitExceeded", false, "Retry" },
        { "ApplyUpload", "ErrorResponse", 502, "ServerNetworkError", false, "Retry" },
        { "ApplyUpload", "ErrorResponse", 404, "ServerNetworkError", false, "Fail" },
        { "ApplyUpload", "ErrorResponse", 200, "InvalidParameterValue.MediaType", false, "Fail" },
        { "ApplyUpload", "ErrorResponse", 200, "AuthFailure.SignatureFailure", false, "Fail" },
        { "CommitUpload", "ErrorResponse", 200, "InvalidParameterValue.VodSessionKey", true, "Fail" },
        // The origin of a URL source: its own rows (a GET changes nothing; what it sent wrong is never a COS retry).
        { "OriginGet", "Transport", null, "NetworkError", false, "Retry" },
        { "OriginProbe", "Timeout", null, "Timeout", false, "Retry" },
        { "OriginGet", "ErrorResponse", 503, "OriginFailed", false, "Retry" },
        { "OriginGet", "ErrorResponse", 429, "OriginFailed", false, "Retry" },
        { "OriginProbe", "ErrorResponse", 500, "OriginFailed", false, "Retry" },
        { "OriginGet", "ErrorResponse", 404, "OriginFailed", false, "Fail" },
        { "OriginProbe", "ErrorResponse", 403, "OriginFailed", false, "Fail" },
        { "OriginGet", "ErrorResponse", 412, "OriginChanged", false, "Fail" },
        { "OriginGet", "ErrorResponse", null, "OriginChanged", false, "Fail" },
        { "OriginGet", "InvalidResponse", 206, "OriginFailed", false, "Fail" },
        { "OriginGet", "IntegrityMismatch", 206, "OriginFailed", false, "Fail" },
        { "OriginGet", "ErrorResponse", 503, "SlowDown", true, "Retry" },
        // PullUpload: a lost reply is repeated with the same SessionId; VOD's duplicate refusal is verified only after one.
        { "PullUpload", "Transport", null, "NetworkError", false, "Retry" },
        { "PullUpload", "Timeout", null, "Timeout", false, "Retry" },
        { "PullUpload", "InvalidResponse", 200, "InvalidResponse", false, "Retry" },
        { "PullUpload", "ErrorResponse", 200, "InvalidParameterValue.SessionId", true, "Verify" },
        { "PullUpload", "ErrorResponse", 200, "InvalidParameterValue.SessionId", false, "Fail" },
        { "PullUpload", "ErrorResponse", 200, "InternalError", true, "Retry" },
        { "PullUpload", "ErrorResponse", 200, "RequestLimitExceeded", false, "Retry" },
        { "PullUpload", "ErrorResponse", 200, "InvalidParameterValue.MediaUrl", false, "Fail" },
        { "PullUpload", "ErrorResponse", 200, "InvalidParameterValue.MediaUrl", true, "Fail" },
        { "CommitUpload", "ErrorResponse", 200, "InvalidParameterValue.SessionId", true, "Fail" },
        // The wait's reads: repeating them cannot duplicate anything.
        { "DescribeTaskDetail", "Transport", null, "NetworkError", false, "Retry" },
        { "DescribeTaskDetail", "ErrorResponse", 200, "InternalError", false, "Retry" },
        { "DescribeTaskDetail", "ErrorResponse", 200, "InvalidParameterValue.TaskId", false, "Fail" },
        { "DescribeTaskDetail", "ErrorResponse", 503, "ServerNetworkError", false, "Retry" },
        { "DescribeTasks", "Timeout", null, "Timeout", false, "Retry" },
        { "DescribeTasks", "ErrorResponse", 200, "RequestLimitExceeded.UinLimitExceeded", false, "Retry" },
        { "DescribeTasks", "ErrorResponse", 200, "AuthFailure.UnauthorizedOperation", false, "Fail" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void DecidesEachRowOfTheTable(string operation, string kind, int? status, string code, bool earlierReplyLost, string expected)
    {
        var decision = RetryPolicy.Decide(Enum.Parse<ServiceOperation>(operation), new AttemptFailure(Enum.Parse<FailureKind>(kind), code, "detail") { Status = status }, earlierReplyLost);
        Assert.Equal(Enum.Parse<RetryAction>(expected), decision.Action);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Fact]
    public void ARefusedCommitAfterALostReplySaysTheFirstAttemptMayHaveSucceeded()
    {
        var decision = RetryPolicy.Decide(ServiceOperation.CommitUpload,
            new AttemptFailure(FailureKind.ErrorResponse, "InvalidParameterValue.VodSessionKey", "x") { Status = 200 }, earlierReplyLost: true);
        Assert.Contains("may have succeeded", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Transport")]
    [InlineData("Timeout")]
    public void ALostCommitReplyIsNeverCalledSafeToRepeat(string kind)
    {
        var decision = RetryPolicy.Decide(ServiceOperation.CommitUpload, new AttemptFailure(Enum.Parse<FailureKind>(kind), "NetworkError", "x"), earlierReplyLost: false);
        Assert.Equal(RetryAction.Retry, decision.Action);
        Assert.Contains("may have been applied", decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("safe to repeat", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ATransportFailureOfAnotherOperationSaysWhyRepeatingIsHarmless()
    {
        var decision = RetryPolicy.Decide(ServiceOperation.UploadPart, new AttemptFailure(FailureKind.Transport, "NetworkError", "x"), earlierReplyLost: false);
        Assert.Contains("cannot duplicate", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Transport", "connection failed")]
    [InlineData("Timeout", "inactivity timeout")]
    public void ALostPullUploadReplyIsRepeatedWithTheSameSessionIdNeverCalledHarmless(string kind, string cause)
    {
        var decision = RetryPolicy.Decide(ServiceOperation.PullUpload, new AttemptFailure(Enum.Parse<FailureKind>(kind), "NetworkError", "x"), earlierReplyLost: false);
        Assert.Equal(RetryAction.Retry, decision.Action);
        Assert.Contains(cause, decision.Reason, StringComparison.Ordinal);
        Assert.Contains("may have started the pull", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("same SessionId", decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot duplicate", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ADuplicateSessionIdWithoutALostReplySaysNoSecondPullWasStarted()
    {
        var decision = RetryPolicy.Decide(ServiceOperation.PullUpload,
            new AttemptFailure(FailureKind.ErrorResponse, "InvalidParameterValue.SessionId", "x") { Status = 200 }, earlierReplyLost: false);
        Assert.Equal("VOD refuses the SessionId as a duplicate: a PullUpload with it was accepted within the last three days, and no second pull was started", decision.Reason);
    }

    [Fact]
    public void ThrottlingIsSlowDownOr503Or429OrTheVodRequestLimitAndNothingElse()
    {
        Assert.True(RetryPolicy.IsThrottling(new AttemptFailure(FailureKind.ErrorResponse, "SlowDown", "x") { Status = 400 }));
        Assert.True(RetryPolicy.IsThrottling(new AttemptFailure(FailureKind.ErrorResponse, "Whatever", "x") { Status = 503 }));
        Assert.True(RetryPolicy.IsThrottling(new AttemptFailure(FailureKind.ErrorResponse, "Whatever", "x") { Status = 429 }));
        Assert.True(RetryPolicy.IsThrottling(new AttemptFailure(FailureKind.ErrorResponse, "RequestLimitExceeded.UinLimitExceeded", "x") { Status = 200 }));
        Assert.False(RetryPolicy.IsThrottling(new AttemptFailure(FailureKind.ErrorResponse, "InternalError", "x") { Status = 500 }));
        Assert.False(RetryPolicy.IsThrottling(new AttemptFailure(FailureKind.ErrorResponse, "Whatever", "x") { Status = 502 }));
        Assert.False(RetryPolicy.IsThrottling(new AttemptFailure(FailureKind.Transport, "SlowDown", "x") { Status = 503 }));
    }

    public static TheoryData<Exception, bool, string> RecoveryRows => new()
    {
        { new CredentialExpiredException(DateTimeOffset.UnixEpoch, "x"), false, "StartFresh" },
        { new CosException("UploadPart", "AccessDenied", "x"), false, "StartFresh" },
        { new CosException("ListParts", "InvalidAccessKeyId", "x"), false, "StartFresh" },
        { new CosException("UploadPart", "ExpiredToken", "x"), false, "StartFresh" },
        { new CosException("UploadPart", "InvalidToken", "x"), false, "StartFresh" },
        { new VodApiException("CommitUpload", "InvalidParameterValue.VodSessionKey", "x"), false, "StartFresh" },
        { new VodApiException("CommitUpload", "InvalidParameterValue.VodSessionKey", "x"), true, "Fail" }, // the commit may have applied
        { new CosException("UploadPart", "SignatureDoesNotMatch", "x"), false, "Fail" },
        { new CosException("UploadPart", "NoSuchUpload", "x"), false, "Fail" },
        { new VodRawException("NetworkError", "x"), false, "Fail" },
        { new FileChangedException("/a", "x"), false, "Fail" },
    };

    [Theory]
    [MemberData(nameof(RecoveryRows))]
    public void DecidesEachRecoveryRowOfAResumedSession(Exception failure, bool commitSent, string expected)
    {
        var decision = RetryPolicy.AfterResumedFailure(failure, commitSent);
        Assert.Equal(Enum.Parse<RecoveryAction>(expected), decision.Action);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Fact]
    public void ALostCommitReplySaysWhetherTheConnectionFailedOrNoDataMoved()
    {
        var timeout = RetryPolicy.Decide(ServiceOperation.CommitUpload, new AttemptFailure(FailureKind.Timeout, "Timeout", "x"), earlierReplyLost: false);
        var transport = RetryPolicy.Decide(ServiceOperation.CommitUpload, new AttemptFailure(FailureKind.Transport, "NetworkError", "x"), earlierReplyLost: false);
        Assert.Contains("inactivity timeout", timeout.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("connection failed", timeout.Reason, StringComparison.Ordinal);
        Assert.Contains("connection failed", transport.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("inactivity timeout", transport.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ATimeoutOfAnotherOperationIsRetriedSayingNoDataMoved()
    {
        var decision = RetryPolicy.Decide(ServiceOperation.UploadPart, new AttemptFailure(FailureKind.Timeout, "Timeout", "x"), earlierReplyLost: false);
        Assert.Equal(RetryAction.Retry, decision.Action);
        Assert.Contains("inactivity timeout", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HttpStatus404", 404)] // a 404 without COS's code: the upload is gone all the same
    [InlineData("NoSuchUpload", 400)] // COS's code under another status
    public void AnAbortOfAnUploadThatIsGoneIsAlreadyDoneWhetherTheStatusOrTheCodeSaysSo(string code, int status)
    {
        var decision = RetryPolicy.Decide(ServiceOperation.AbortMultipartUpload, new AttemptFailure(FailureKind.ErrorResponse, code, "x") { Status = status }, earlierReplyLost: false);
        Assert.Equal(RetryAction.AlreadyDone, decision.Action);
    }

    [Theory]
    [InlineData("CommitUpload", false)]
    [InlineData("ApplyUpload", true)]
    public void ARefusalSaysAnEarlierAttemptMayHaveSucceededOnlyForACommitWhoseReplyWasLost(string operation, bool earlierReplyLost)
    {
        var decision = RetryPolicy.Decide(Enum.Parse<ServiceOperation>(operation),
            new AttemptFailure(FailureKind.ErrorResponse, "InvalidParameterValue.VodSessionKey", "x") { Status = 200 }, earlierReplyLost);
        Assert.Equal(RetryAction.Fail, decision.Action);
        Assert.Equal("the VOD API refused the request", decision.Reason);
    }

    [Theory]
    [InlineData("ApplyUpload", 502, "ServerNetworkError", "the VOD API answered HTTP 502")]
    [InlineData("UploadPart", 503, "SlowDown", "COS asked to try again (SlowDown)")]
    [InlineData("PutObject", 500, "HttpStatus500", "COS answered HTTP 500")]
    public void ARetriedErrorNamesTheStatusOrCodeThatMadeItTransient(string operation, int status, string code, string reason)
    {
        var decision = RetryPolicy.Decide(Enum.Parse<ServiceOperation>(operation), new AttemptFailure(FailureKind.ErrorResponse, code, "x") { Status = status }, earlierReplyLost: false);
        Assert.Equal(RetryAction.Retry, decision.Action);
        Assert.Equal(reason, decision.Reason);
    }

    [Fact]
    public void ARefusedTemporaryCredentialIsNamedByCosCodeInTheRecoveryReason()
    {
        var decision = RetryPolicy.AfterResumedFailure(new CosException("UploadPart", "ExpiredToken", "x"), commitSent: false);
        Assert.Equal("COS refuses the interrupted upload's temporary credential (ExpiredToken)", decision.Reason);
    }
}
