namespace VodRaw;

/// <summary>What an interrupted upload leaves behind at COS and VOD.</summary>
public enum UploadInterruption
{
    /// <summary>Nothing was written to COS and nothing was committed.</summary>
    NothingStarted,

    /// <summary>Every multipart upload that was started was aborted; nothing was committed.</summary>
    Aborted,

    /// <summary>Some objects reached COS (whole-object PUTs) but nothing was committed; no multipart upload is open.</summary>
    NothingCommitted,

    /// <summary>Aborting a multipart upload failed: see <see cref="UploadCanceledException.OpenUploads"/> for what to abort.</summary>
    AbortFailed,

    /// <summary>Every file is stored at COS (a Complete was applied) but CommitUpload was not sent; nothing is in the media library.</summary>
    StoredNotCommitted,

    /// <summary>CommitUpload was sent and its reply did not arrive: the media may be in the library. Look it up before uploading again.</summary>
    CommitMayHaveApplied,

    /// <summary>Paused: the multipart uploads are open and the checkpoint is kept; run the same upload again to resume.</summary>
    Paused,
}

/// <summary>
/// The upload was cancelled. <see cref="Outcome"/> says what state it left behind; a finished CommitUpload is never
/// thrown away (the upload then returns its response instead).
/// </summary>
public sealed class UploadCanceledException : OperationCanceledException
{
    /// <summary>Creates an exception.</summary>
    public UploadCanceledException(UploadInterruption outcome, IReadOnlyList<OpenMultipartUpload> openUploads, Exception? innerException, CancellationToken token)
        : base(Describe(outcome, openUploads), innerException, token)
    {
        Outcome = outcome;
        OpenUploads = openUploads;
    }

    /// <summary>
    /// The checkpoint to resume from (when <see cref="Outcome"/> is <see cref="UploadInterruption.Paused"/>), or that
    /// records a commit in flight (<see cref="UploadInterruption.CommitMayHaveApplied"/> with a checkpoint).
    /// </summary>
    public string? CheckpointId { get; init; }

    /// <summary>Bytes COS had confirmed when the upload paused (parts and whole files the checkpoint records); 0 when none, or without a checkpoint.</summary>
    public long BytesKept { get; init; }

    /// <summary>For <see cref="UploadInterruption.CommitMayHaveApplied"/>: where the media is stored, to look it up in VOD.</summary>
    public string? MediaStoragePath { get; init; }

    /// <summary>For <see cref="UploadInterruption.CommitMayHaveApplied"/>: the request's SessionContext, if any.</summary>
    public string? SessionContext { get; init; }

    /// <summary>What the cancelled upload left behind.</summary>
    public UploadInterruption Outcome { get; }

    /// <summary>Multipart uploads left open (when <see cref="Outcome"/> is <see cref="UploadInterruption.AbortFailed"/>).</summary>
    public IReadOnlyList<OpenMultipartUpload> OpenUploads { get; }

    /// <summary>The one-line description of an outcome.</summary>
    public static string Describe(UploadInterruption outcome, IReadOnlyList<OpenMultipartUpload> openUploads) => outcome switch
    {
        UploadInterruption.NothingStarted => "The upload was cancelled before anything was written to storage.",
        UploadInterruption.Aborted => "The upload was cancelled; the started multipart upload was aborted and nothing was committed.",
        UploadInterruption.NothingCommitted => "The upload was cancelled; nothing was committed (objects already stored in the upload's session directory are not in the media library).",
        UploadInterruption.AbortFailed => "The upload was cancelled, but aborting failed. " + OpenMultipartUpload.Describe(openUploads),
        UploadInterruption.StoredNotCommitted => "The upload was cancelled after every file was stored but before CommitUpload; nothing is in the media library.",
        UploadInterruption.CommitMayHaveApplied => "The upload was cancelled while CommitUpload was in flight: the media may already be in the library; look it up before uploading again.",
        UploadInterruption.Paused => "The upload was paused: its checkpoint keeps the session and the parts COS confirmed; run the same upload again to resume.",
        _ => "The upload was cancelled.",
    };
}
