namespace VodRaw;

/// <summary>The result of a finished upload.</summary>
/// <param name="FileId">The media's unique ID in VOD.</param>
/// <param name="MediaUrl">The media's playback URL.</param>
/// <param name="CoverUrl">The cover's URL, when a cover was uploaded.</param>
/// <param name="RequestId">The CommitUpload request ID.</param>
public sealed record VodUploadResponse(string FileId, string MediaUrl, string? CoverUrl, string RequestId)
{
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
}
