namespace VodRaw;

/// <summary>The result of a finished upload.</summary>
/// <param name="FileId">The media's unique ID in VOD.</param>
/// <param name="MediaUrl">The media's playback URL.</param>
/// <param name="CoverUrl">The cover's URL, when a cover was uploaded.</param>
/// <param name="RequestId">The CommitUpload request ID.</param>
public sealed record VodUploadResponse(string FileId, string MediaUrl, string? CoverUrl, string RequestId)
{
    /// <summary>Total bytes uploaded (media, cover and segments).</summary>
    public long BytesUploaded { get; init; }
}
