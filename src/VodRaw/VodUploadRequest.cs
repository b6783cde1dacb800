namespace VodRaw;

/// <summary>
/// What to upload and how VOD should treat it: the fields of the reference SDK's VodUploadRequest, with the same
/// names. Only <see cref="MediaFilePath"/> (or <see cref="MediaStream"/> with <see cref="MediaType"/>) is required.
/// </summary>
public sealed class VodUploadRequest
{
    /// <summary>The media file. An <c>.m3u8</c> or <c>.mpd</c> manifest uploads every file it references too.</summary>
    public string? MediaFilePath { get; set; }

    /// <summary>
    /// Upload from a stream instead of a file (seekable or not, known length or not). <see cref="MediaType"/> is then
    /// required. The stream is read once, from its current position, and not disposed.
    /// </summary>
    public Stream? MediaStream { get; set; }

    /// <summary>
    /// Upload from an http or https URL instead of a file: the origin's bytes are streamed to COS without touching the
    /// disk — in parallel ranged GETs when the origin serves ranges and tells the length, else read in order — and
    /// checked end to end (CRC-64). An origin that changes during the upload fails it (<see cref="FileChangedException"/>);
    /// with a checkpoint store an interrupted URL upload resumes, fetching only what is missing. An <c>.m3u8</c> or
    /// <c>.mpd</c> URL uploads every file it references too (from the manifest's directory on the same origin).
    /// Default <see cref="MediaType"/> and <see cref="MediaName"/> come from the URL's last path segment.
    /// </summary>
    public Uri? MediaUrl { get; set; }

    /// <summary>A cover image from an http or https URL (read like <see cref="MediaUrl"/>); CoverType defaults to its extension.</summary>
    public Uri? CoverUrl { get; set; }

    /// <summary>
    /// Headers for the origin of <see cref="MediaUrl"/> and <see cref="CoverUrl"/> (for example <c>Authorization</c>
    /// for a private origin; a presigned URL needs none). Sent only to the origin of the URL they were given for, never
    /// across a redirect to another host; never logged, traced or written to a checkpoint. Range, conditional and
    /// framing headers are VodRaw's own and refused here.
    /// </summary>
    public IDictionary<string, string>? SourceHeaders { get; set; }

    /// <summary>Media type (extension without the dot, e.g. <c>mp4</c>). Default: the extension of <see cref="MediaFilePath"/>, case kept.</summary>
    public string? MediaType { get; set; }

    /// <summary>Media name shown in VOD. Default: the file name without its extension.</summary>
    public string? MediaName { get; set; }

    /// <summary>A cover image to upload with the media (or <see cref="CoverStream"/>, not both).</summary>
    public string? CoverFilePath { get; set; }

    /// <summary>
    /// The cover from a stream instead of a file (seekable or not, known length or not); <see cref="CoverType"/> is then
    /// required. The stream is read once, from its current position, and not disposed. Not with
    /// <see cref="CoverFilePath"/>, nor the same stream as <see cref="MediaStream"/>.
    /// </summary>
    /// <remarks>
    /// An upload with a stream (media or cover) keeps no checkpoint, even when
    /// <see cref="VodUploadClientOptions.Checkpoints"/> is set: a stream cannot be fingerprinted or read again, so an
    /// interruption aborts what was started instead of pausing.
    /// </remarks>
    public Stream? CoverStream { get; set; }

    /// <summary>
    /// Cover type (extension without the dot, e.g. <c>jpg</c>). Default: the extension of <see cref="CoverFilePath"/>;
    /// required with <see cref="CoverStream"/>.
    /// </summary>
    public string? CoverType { get; set; }

    /// <summary>Task flow (Procedure) to run after the upload.</summary>
    public string? Procedure { get; set; }

    /// <summary>When the media expires, ISO 8601 with a zone, e.g. <c>2030-01-01T00:00:00Z</c>.</summary>
    public string? ExpireTime { get; set; }

    /// <summary>Category ID.</summary>
    public long? ClassId { get; set; }

    /// <summary>Passed through to the upload-complete callback; at most 250 characters.</summary>
    public string? SourceContext { get; set; }

    /// <summary>Passed through to task-flow callbacks; at most 1000 characters.</summary>
    public string? SessionContext { get; set; }

    /// <summary>VOD sub-application ID; sent to ApplyUpload and CommitUpload.</summary>
    public long? SubAppId { get; set; }

    /// <summary>Force a storage region, e.g. <c>ap-chongqing</c>.</summary>
    public string? StorageRegion { get; set; }

    /// <summary>Reserved field of ApplyUpload, passed through.</summary>
    public string? ExtInfo { get; set; }

    /// <summary>
    /// Where VOD stores the media (ApplyUpload's <c>MediaStoragePath</c>), e.g. <c>/dir1/video.mp4</c>. Default null:
    /// VOD picks the path.
    /// </summary>
    /// <remarks>
    /// Only a sub-application in VOD's "FileID + Path" mode may choose the path, so set <see cref="SubAppId"/> to one;
    /// VOD refuses it otherwise (<c>InvalidParameterValue.MediaStoragePath</c>). Checked before anything is sent: it
    /// starts with <c>/</c>, and the COS object key after that slash is not empty, does not start with <c>/</c> or
    /// <c>\</c>, is at most 850 bytes in UTF-8, is well-formed UTF-16 (no lone surrogate) and holds none of the control
    /// characters COS refuses (U+0018–U+001B). The files an HLS/DASH manifest references go under the same directory.
    /// </remarks>
    public string? MediaStoragePath { get; set; }

    /// <summary>Parts in flight for this upload (overrides <see cref="TransferOptions.Concurrency"/>); 1–64.</summary>
    public int? ConcurrentUploadNumber { get; set; }
}
