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
}
