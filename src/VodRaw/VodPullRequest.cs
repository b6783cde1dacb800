namespace VodRaw;

/// <summary>
/// What VOD should pull from a URL (the PullUpload API): VOD fetches the media itself, so nothing passes through this
/// machine. Only <see cref="MediaUrl"/> is required. Every field is checked before anything is sent.
/// </summary>
public sealed class VodPullRequest
{
    /// <summary>
    /// The media's http or https URL, which VOD must be able to reach (a public or presigned URL). An HLS playlist
    /// (<c>.m3u8</c>) is accepted; DASH (<c>.mpd</c>) is not.
    /// </summary>
    public string? MediaUrl { get; set; }

    /// <summary>Media type (extension without the dot, e.g. <c>mp4</c>). Default: VOD takes it from <see cref="MediaUrl"/>.</summary>
    public string? MediaType { get; set; }

    /// <summary>Media name shown in VOD.</summary>
    public string? MediaName { get; set; }

    /// <summary>An http or https URL of a cover image for VOD to pull too (gif, jpeg or png).</summary>
    public string? CoverUrl { get; set; }

    /// <summary>Task flow (Procedure) to run once the media is in VOD.</summary>
    public string? Procedure { get; set; }

    /// <summary>When the media expires, ISO 8601 with a zone, e.g. <c>2030-01-01T00:00:00Z</c>.</summary>
    public string? ExpireTime { get; set; }

    /// <summary>Force a storage region, e.g. <c>ap-chongqing</c>.</summary>
    public string? StorageRegion { get; set; }

    /// <summary>Category ID.</summary>
    public long? ClassId { get; set; }

    /// <summary>Task priority, −10 to 10 (higher first). Default: the service's (0).</summary>
    public int? TasksPriority { get; set; }

    /// <summary>Passed through to task-flow callbacks; at most 1000 characters.</summary>
    public string? SessionContext { get; set; }

    /// <summary>
    /// The de-duplication key: VOD refuses (<c>InvalidParameterValue.SessionId</c>) a PullUpload whose SessionId it was
    /// already given within the last three days, so a repeated request cannot start a second pull. At most 50
    /// characters. Unset or empty (which to the service would mean "no de-duplication"): VodRaw generates a random one
    /// per call (<see cref="VodPullResponse.SessionId"/> tells which),
    /// so its own retries after a lost reply never start a second pull; give your own to make repeats across runs safe too.
    /// </summary>
    public string? SessionId { get; set; }

    /// <summary>Reserved field of PullUpload, passed through.</summary>
    public string? ExtInfo { get; set; }

    /// <summary>Passed through to the upload-complete callback; at most 250 characters.</summary>
    public string? SourceContext { get; set; }

    /// <summary>
    /// Where to store the media, starting with <c>/</c>; only sub-applications in FileID + Path mode may set it.
    /// </summary>
    public string? MediaStoragePath { get; set; }

    /// <summary>VOD sub-application ID; sent to PullUpload and to every DescribeTaskDetail of the wait.</summary>
    public long? SubAppId { get; set; }
}
