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
        // VOD API envelope codes.
        { "ApplyUpload", "ErrorResponse", 200, "InternalError", false, "Retry" },
        { "CommitUpload", "ErrorResponse", 200, "InternalError", false, "Retry" },
        { "ApplyUpload", "ErrorResponse", 200, "RequestLimitExceeded.UinLimitExceeded", false, "Retry" },
        { "ApplyUpload", "ErrorResponse", 502, "ServerNetworkError", false, "Retry" },
        { "ApplyUpload", "ErrorResponse", 404, "ServerNetworkError", false, "Fail" },
        { "ApplyUpload", "ErrorResponse", 200, "InvalidParameterValue.MediaType", false, "Fail" },
        { "ApplyUpload", "ErrorResponse", 200, "AuthFailure.SignatureFailure", false, "Fail" },
        { "CommitUpload", "ErrorResponse", 200, "InvalidParameterValue.VodSessionKey", true, "Fail" },
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
}
