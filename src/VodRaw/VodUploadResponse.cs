namespace VodRaw;

/// <summary>The result of a finished upload.</summary>
public sealed record VodUploadResponse
{
    /// <summary>Creates a <see cref="VodUploadResponse"/>.</summary>
    /// <param name="fileId">The media's unique ID in VOD.</param>
    /// <param name="mediaUrl">The media's playback URL.</param>
    /// <param name="coverUrl">The cover's URL, when a cover was uploaded.</param>
    /// <param name="requestId">The CommitUpload request ID.</param>
    public VodUploadResponse(string fileId, string mediaUrl, string? coverUrl, string requestId)
    {
        FileId = fileId;
        MediaUrl = mediaUrl;
        CoverUrl = coverUrl;
        RequestId = requestId;
    }

    /// <summary>The media's unique ID in VOD.</summary>
    public string FileId { get; init; }

    /// <summary>The media's playback URL.</summary>
    public string MediaUrl { get; init; }

    /// <summary>The cover's URL, when a cover was uploaded.</summary>
    public string? CoverUrl { get; init; }

    /// <summary>The CommitUpload request ID.</summary>
    public string RequestId { get; init; }

    /// <summary>Bytes this call sent to COS (media, cover and segments).</summary>
    public long BytesUploaded { get; init; }

    /// <summary>Bytes a checkpoint let this call skip: already at COS from an interrupted run (0 for a fresh upload).</summary>
    public long BytesResumed { get; init; }

    /// <summary>
    /// True when an earlier run already committed this very upload and this result is the one it recorded: nothing was
    /// sent (only with <see cref="Checkpoints.CheckpointStore.KeepCommitted"/>).
    /// </summary>
    public bool AlreadyCommitted { get; init; }

    /// <summary>
    /// The checkpoint that records this committed upload, when the store keeps committed uploads
    /// (<see cref="Checkpoints.CheckpointStore.KeepCommitted"/>); delete it with <see cref="Checkpoints.CheckpointStore.Delete"/>
    /// once the result is safely recorded elsewhere. Null otherwise.
    /// </summary>
    public string? CheckpointId { get; init; }

    /// <summary>
    /// Multipart uploads that are not this upload's own and could not be aborted — an abandoned checkpoint's, or one a
    /// lost InitiateMultipartUpload reply created — each with why; they never stop a good upload from being committed.
    /// Abort them, or let a bucket lifecycle rule expire them. Empty when none.
    /// </summary>
    public IReadOnlyList<OpenMultipartUpload> OpenUploads { get; init; } = [];

    /// <summary>
    /// When an earlier run's CommitUpload was in flight and the file changed since: the FileId that commit was settled
    /// as (the media with the content from before the change, which is in VOD too); this response's <see cref="FileId"/>
    /// is the file as it is now. Null otherwise.
    /// </summary>
    public string? PreviousFileId { get; init; }
}
