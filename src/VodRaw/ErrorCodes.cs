namespace VodRaw;

/// <summary>
/// The codes VodRaw itself puts in <see cref="VodRawException.Code"/> (service codes such as <c>SlowDown</c> or
/// <c>InvalidParameterValue.MediaType</c> are passed through as the service sent them).
/// </summary>
public static class VodRawErrorCodes
{
    /// <summary>The connection failed (refused, reset, TLS, DNS) on every attempt.</summary>
    public const string NetworkError = "NetworkError";

    /// <summary>No byte moved for the inactivity timeout on every attempt.</summary>
    public const string Timeout = "Timeout";

    /// <summary>The service answered with something that is not a usable reply (no ETag, no UploadId, broken XML or JSON).</summary>
    public const string InvalidResponse = "InvalidResponse";

    /// <summary>COS computed a different CRC-64 than the bytes VodRaw sent.</summary>
    public const string Crc64Mismatch = "Crc64Mismatch";

    /// <summary>A file changed (size, last-write time or length) while it was being uploaded; nothing was committed.</summary>
    public const string FileChanged = "FileChanged";

    /// <summary>The temporary COS credential expires before the next part could finish (a local decision; nothing was sent with it).</summary>
    public const string CredentialExpired = "CredentialExpired";

    /// <summary>
    /// Another upload of the same request (the same checkpoint) is running right now, in this process or another;
    /// nothing was sent. Transient: run it again once the other has finished.
    /// </summary>
    public const string CheckpointInUse = "CheckpointInUse";

    /// <summary>
    /// CommitUpload was sent and its outcome cannot be known (its reply was lost on every attempt, or an earlier
    /// attempt or run may have applied it): the media may already be in VOD. See <see cref="CommitOutcomeUnknownException"/>.
    /// </summary>
    public const string CommitOutcomeUnknown = "CommitOutcomeUnknown";

    /// <summary>
    /// The origin of a URL source failed: refused (4xx), unavailable through every attempt, answered with other bytes
    /// than were asked for, or redirected where VodRaw does not follow. See <see cref="OriginException"/>.
    /// </summary>
    public const string OriginFailed = "OriginFailed";

    /// <summary>VOD's pull task finished without the media (a non-zero ErrCode, or aborted). See <see cref="PullFailedException"/>.</summary>
    public const string PullFailed = "PullFailed";

    /// <summary>
    /// The wait for a pull task reached its deadline while the task was still running; the task keeps running at VOD.
    /// Transient. See <see cref="PullStillRunningException"/>.
    /// </summary>
    public const string PullStillRunning = "PullStillRunning";

    /// <summary>
    /// PullUpload was sent and its outcome cannot be known (its reply was lost and no later attempt settled it): VOD
    /// may be pulling the media. See <see cref="PullOutcomeUnknownException"/>.
    /// </summary>
    public const string PullOutcomeUnknown = "PullOutcomeUnknown";
}

/// <summary>Service error codes the retry table and the idempotency rules look at.</summary>
internal static class ServiceErrorCodes
{
    // VOD API (JSON envelope Response.Error.Code).
    public const string VodInternalError = "InternalError";
    public const string VodRequestLimitExceeded = "RequestLimitExceeded";
    public const string VodServerNetworkError = "ServerNetworkError";

    /// <summary>PullUpload's refusal of a SessionId it was given within the last three days (a duplicate request).</summary>
    public const string VodDuplicateSessionId = "InvalidParameterValue.SessionId";

    // COS (XML Error.Code or x-cos-error-code).
    public const string CosSlowDown = "SlowDown";
    public const string CosRequestTimeout = "RequestTimeout";
    public const string CosInternalError = "InternalError";
    public const string CosServiceUnavailable = "ServiceUnavailable";
    public const string CosNoSuchUpload = "NoSuchUpload";
    public const string CosNoSuchKey = "NoSuchKey";
}
