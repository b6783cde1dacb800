using System.Globalization;

namespace VodRaw;

/// <summary>
/// Base of every error VodRaw raises for a failed upload (argument errors are the usual BCL exceptions).
/// Carries what support needs — operation, code, request id, HTTP status, attempts — and never a secret.
/// </summary>
public class VodRawException : Exception
{
    /// <summary>Creates an exception.</summary>
    public VodRawException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>
    /// A copy of <paramref name="other"/> that also names <paramref name="checkpointId"/> and <paramref name="openUploads"/>:
    /// an exception is never edited once thrown; a layer that knows more throws a complete copy (with the original's
    /// stack trace and inner exception).
    /// </summary>
    private protected VodRawException(VodRawException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other.RawMessage, other.InnerException)
    {
        Code = other.Code;
        Operation = other.Operation;
        RequestId = other.RequestId;
        Status = other.Status;
        IsTransient = other.IsTransient;
        Attempts = other.Attempts;
        CheckpointId = checkpointId;
        OpenUploads = openUploads;
        if (other.StackTrace is { } trace)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.SetRemoteStackTrace(this, trace);
        }
    }

    /// <summary>The message as built, without the open uploads' description.</summary>
    private string RawMessage => base.Message;

    /// <summary>This failure, complete: the same exception naming the checkpoint that keeps it resumable and every upload left open.</summary>
    internal VodRawException With(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) =>
        checkpointId == CheckpointId && openUploads.SequenceEqual(OpenUploads) ? this : Copy(checkpointId, openUploads);

    /// <summary>A copy of the same type with these two facts (each derived type copies its own fields).</summary>
    private protected virtual VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new(this, checkpointId, openUploads);

    /// <summary>The call that failed (<c>ApplyUpload</c>, <c>UploadPart</c>, <c>CompleteMultipartUpload</c>, ...), or null for a local check.</summary>
    public string? Operation { get; init; }

    /// <summary>The service's error code (for example <c>InvalidParameterValue.MediaType</c>, <c>SlowDown</c>), or one of <see cref="VodRawErrorCodes"/>.</summary>
    public string Code { get; }

    /// <summary>The request id the service returned, when it answered; quote it to Tencent support.</summary>
    public string? RequestId { get; init; }

    /// <summary>The HTTP status, when a response arrived.</summary>
    public int? Status { get; init; }

    /// <summary>
    /// Whether trying again later may succeed (network trouble, throttling, 5xx). Set from VodRaw's retry table; VodRaw has
    /// already retried these <see cref="Attempts"/> times.
    /// </summary>
    public bool IsTransient { get; init; }

    /// <summary>How many attempts were made before giving up.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>
    /// Multipart uploads this failure left open because aborting them failed too (each named so it can be aborted
    /// later; COS bills stored parts until then). Empty when nothing was left behind.
    /// </summary>
    public IReadOnlyList<OpenMultipartUpload> OpenUploads { get; init; } = [];

    /// <summary>
    /// The checkpoint that keeps this upload resumable (a checkpoint store was configured): run the same upload again
    /// to continue. Null when there is nothing to resume.
    /// </summary>
    public string? CheckpointId { get; init; }

    /// <inheritdoc />
    public override string Message => OpenUploads.Count == 0 ? base.Message : base.Message + " " + OpenMultipartUpload.Describe(OpenUploads);
}

/// <summary>A multipart upload left open at COS: what is needed to abort it (AbortMultipartUpload on bucket, key, upload id).</summary>
public sealed record OpenMultipartUpload
{
    /// <summary>Creates a <see cref="OpenMultipartUpload"/>.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The object key.</param>
    /// <param name="uploadId">The multipart upload id.</param>
    /// <param name="reason">Why it could not be aborted.</param>
    public OpenMultipartUpload(string bucket, string key, string uploadId, string reason)
    {
        Bucket = bucket;
        Key = key;
        UploadId = uploadId;
        Reason = reason;
    }

    /// <summary>The bucket.</summary>
    public string Bucket { get; init; }

    /// <summary>The object key.</summary>
    public string Key { get; init; }

    /// <summary>The multipart upload id.</summary>
    public string UploadId { get; init; }

    /// <summary>Why it could not be aborted.</summary>
    public string Reason { get; init; }

    /// <summary>One sentence naming every upload left open and why (for messages).</summary>
    public static string Describe(IReadOnlyList<OpenMultipartUpload> uploads)
    {
        var parts = new string[uploads.Count];
        for (var i = 0; i < uploads.Count; i++)
        {
            parts[i] = $"{uploads[i].Bucket}/{uploads[i].Key} upload id {uploads[i].UploadId} ({uploads[i].Reason})";
        }

        return (uploads.Count == 1 ? "A multipart upload is left open: " : uploads.Count.ToString(CultureInfo.InvariantCulture) + " multipart uploads are left open: ")
            + string.Join("; ", parts) + ". Abort it with AbortMultipartUpload, or let a bucket lifecycle rule expire it.";
    }
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
        Operation = action;
    }

    private VodApiException(VodApiException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other, checkpointId, openUploads)
    {
        Action = other.Action;
        ServiceMessage = other.ServiceMessage;
    }

    private protected override VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new VodApiException(this, checkpointId, openUploads);

    /// <summary>The API action that failed (the same as <see cref="VodRawException.Operation"/>).</summary>
    public string Action { get; }

    /// <summary>The message the service gave (or VodRaw's description of what went wrong).</summary>
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

    private CosException(CosException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other, checkpointId, openUploads)
    {
        TraceId = other.TraceId;
        PartNumber = other.PartNumber;
        Key = other.Key;
        UploadId = other.UploadId;
    }

    private protected override VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new CosException(this, checkpointId, openUploads);

    /// <summary>COS's trace id (<c>x-cos-trace-id</c>), when given.</summary>
    public string? TraceId { get; init; }

    /// <summary>The part that failed, for UploadPart.</summary>
    public int? PartNumber { get; init; }

    /// <summary>The object key involved.</summary>
    public string? Key { get; init; }

    /// <summary>The multipart upload involved, if any.</summary>
    public string? UploadId { get; init; }
}

/// <summary>
/// A local decision: the temporary COS credential ApplyUpload issued expires before the next part could finish, so
/// that part was not started. Upload again to get a new credential.
/// </summary>
public sealed class CredentialExpiredException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    public CredentialExpiredException(DateTimeOffset expiredAt, string detail)
        : base(VodRawErrorCodes.CredentialExpired, $"The upload's temporary COS credential expires at {expiredAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}; {detail} Upload again to get a new credential.")
    {
        ExpiredAt = expiredAt;
    }

    private CredentialExpiredException(CredentialExpiredException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other, checkpointId, openUploads)
    {
        ExpiredAt = other.ExpiredAt;
    }

    private protected override VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new CredentialExpiredException(this, checkpointId, openUploads);

    /// <summary>When the credential stops (stopped) working.</summary>
    public DateTimeOffset ExpiredAt { get; }
}

/// <summary>A file changed while it was being uploaded (size, last-write time, or it became shorter). Nothing was committed.</summary>
public sealed class FileChangedException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    public FileChangedException(string path, string detail)
        : base(VodRawErrorCodes.FileChanged, $"The file {path} changed while it was being uploaded ({detail}); nothing was committed. Upload it again once it is no longer being written.")
    {
        Path = path;
    }

    private FileChangedException(FileChangedException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other, checkpointId, openUploads)
    {
        Path = other.Path;
    }

    private protected override VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new FileChangedException(this, checkpointId, openUploads);

    /// <summary>The file that changed.</summary>
    public string Path { get; }
}

/// <summary>
/// CommitUpload was sent and VodRaw cannot tell whether VOD applied it: its reply was lost on every attempt, or it was
/// refused after an earlier attempt (or an earlier run) may have applied it. The media may already be in the library,
/// with a FileId VodRaw never received. Uploading again as new media may duplicate it; look it up first by
/// <see cref="MediaStoragePath"/> or <see cref="SessionContext"/>. With a checkpoint (<see cref="VodRawException.CheckpointId"/>),
/// running the same upload again asks VOD once more with the same session before anything else.
/// </summary>
public sealed class CommitOutcomeUnknownException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="mediaStoragePath">Where ApplyUpload put the media (its path in the VOD storage).</param>
    /// <param name="sessionContext">The request's SessionContext, if any.</param>
    /// <param name="why">What happened to the commit, as a clause.</param>
    /// <param name="innerException">The last failure of CommitUpload.</param>
    public CommitOutcomeUnknownException(string? mediaStoragePath, string? sessionContext, string why, Exception? innerException)
        : base(VodRawErrorCodes.CommitOutcomeUnknown, Describe(mediaStoragePath, sessionContext, why, innerException), innerException)
    {
        MediaStoragePath = mediaStoragePath;
        SessionContext = sessionContext;
        Operation = "CommitUpload";
    }

    private CommitOutcomeUnknownException(CommitOutcomeUnknownException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other, checkpointId, openUploads)
    {
        MediaStoragePath = other.MediaStoragePath;
        SessionContext = other.SessionContext;
    }

    private protected override VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new CommitOutcomeUnknownException(this, checkpointId, openUploads);

    /// <summary>Where ApplyUpload put the media: its storage path, to find it in VOD.</summary>
    public string? MediaStoragePath { get; }

    /// <summary>The upload's SessionContext, when the request had one (task-flow callbacks carry it).</summary>
    public string? SessionContext { get; }

    private static string Describe(string? mediaStoragePath, string? sessionContext, string why, Exception? inner) =>
        $"CommitUpload's outcome is unknown ({why}{(inner is null ? string.Empty : ": " + inner.Message.TrimEnd('.'))}): the media may already be in VOD"
        + (string.IsNullOrEmpty(mediaStoragePath) ? string.Empty : $" at MediaStoragePath {mediaStoragePath}")
        + (string.IsNullOrEmpty(sessionContext) ? string.Empty : $" with SessionContext {sessionContext}")
        + ", and its FileId was not received. Look it up before uploading it again as new media.";
}
