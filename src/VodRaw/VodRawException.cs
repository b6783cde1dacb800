namespace VodRaw;

/// <summary>
/// Base of every error VodRaw raises for a failed upload (argument errors are the usual BCL exceptions).
/// Carries what support needs — code, request id, HTTP status — and never a secret.
/// </summary>
public class VodRawException : Exception
{
    /// <summary>Creates an exception.</summary>
    public VodRawException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>The service's error code (for example <c>InvalidParameterValue.MediaType</c>, <c>SlowDown</c>), or a VodRaw code such as <c>NetworkError</c>, <c>Timeout</c>, <c>Crc64Mismatch</c>.</summary>
    public string Code { get; }

    /// <summary>The request id the service returned, when it answered; quote it to Tencent support.</summary>
    public string? RequestId { get; init; }

    /// <summary>The HTTP status, when a response arrived.</summary>
    public int? Status { get; init; }

    /// <summary>Whether trying the same request again may succeed (network trouble, throttling, 5xx). VodRaw has already retried these.</summary>
    public bool IsTransient { get; init; }

    /// <summary>How many attempts were made before giving up.</summary>
    public int Attempts { get; internal set; } = 1;

    /// <summary>A server-requested wait before retrying (Retry-After), if any.</summary>
    internal TimeSpan? RetryAfter { get; init; }
}

/// <summary>An error from the VOD API (ApplyUpload, CommitUpload, ParseStreamingManifest).</summary>
public sealed class VodApiException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    public VodApiException(string action, string code, string message, Exception? innerException = null)
        : base(code, $"{action} failed: {code}: {message}", innerException)
    {
        Action = action;
        ServiceMessage = message;
    }

    /// <summary>The API action that failed.</summary>
    public string Action { get; }

    /// <summary>The message the service gave.</summary>
    public string ServiceMessage { get; }
}

/// <summary>An error from COS object storage while uploading a file.</summary>
public sealed class CosException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    public CosException(string operation, string code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
        Operation = operation;
    }

    /// <summary>The COS operation (PutObject, UploadPart, CompleteMultipartUpload, ...).</summary>
    public string Operation { get; }

    /// <summary>COS's trace id (<c>x-cos-trace-id</c>), when given.</summary>
    public string? TraceId { get; init; }

    /// <summary>The part that failed, for UploadPart.</summary>
    public int? PartNumber { get; init; }

    /// <summary>The object key involved.</summary>
    public string? Key { get; init; }
}

/// <summary>The temporary credential ApplyUpload issued expired (or would expire) before the upload could finish.</summary>
public sealed class CredentialExpiredException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    public CredentialExpiredException(DateTimeOffset expiredAt)
        : base("CredentialExpired", $"The upload's temporary COS credential expires at {expiredAt:u}; no further part is started with it. Upload again to get a new credential.")
    {
        ExpiredAt = expiredAt;
    }

    /// <summary>When the credential stops (stopped) working.</summary>
    public DateTimeOffset ExpiredAt { get; }
}
