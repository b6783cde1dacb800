namespace VodRaw.Cli.Batch;

/// <summary>
/// One media of a batch: its key (the path as the command line or list file names it, for shards and messages), the
/// request to upload it with, and where it came from (a list file's line, for error messages).
/// </summary>
internal sealed class BatchItem(string key, VodUploadRequest request, int? line = null)
{
    public string Key { get; } = key;

    /// <summary>The request (every path in it full); copied for each attempt, so an attempt never changes it.</summary>
    public VodUploadRequest Request { get; } = request;

    public int? Line { get; } = line;

    /// <summary>The files and sizes the upload sends (set when the batch is checked, before anything is sent).</summary>
    public UploadPlan? Plan { get; set; }

    public long Bytes => Plan?.TotalBytes ?? 0;

    /// <summary>
    /// Why a URL's origin could not be asked for its size when the batch was checked (refused, or down through its
    /// retries): not a reason to refuse the batch; the upload asks again and fails on its own if it must.
    /// </summary>
    public string? Unreachable { get; set; }

    /// <summary>The media's full path, or its URL as shown (no query): the journal's key for it.</summary>
    public string MediaPath => Request.MediaFilePath ?? VodRaw.Sources.SourceUrl.IdentityOf(Request.MediaUrl!);

    /// <summary>Whether the media comes from a URL (its size is what the origin announced; it has no last-write time).</summary>
    public bool IsUrl => Request.MediaUrl is not null;

    /// <summary>What a re-run compares with the journal to tell a changed source: a file's size and last write, a URL's size.</summary>
    public FileStamp Stamp() => IsUrl ? new FileStamp(Bytes, 0) : FileStamp.Of(MediaPath);

    /// <summary>Where this item is named: "line 7 (a.mp4)" or the key.</summary>
    public string Where => Line is { } n ? $"line {n} ({Key})" : Key;

    public VodUploadRequest NewRequest() => Copy(Request);

    /// <summary>A copy of a request's fields (a request is mutable; every attempt gets its own).</summary>
    public static VodUploadRequest Copy(VodUploadRequest request) => new()
    {
        MediaFilePath = request.MediaFilePath,
        MediaUrl = request.MediaUrl,
        CoverUrl = request.CoverUrl,
        SourceHeaders = request.SourceHeaders,
        MediaType = request.MediaType,
        MediaName = request.MediaName,
        CoverFilePath = request.CoverFilePath,
        CoverType = request.CoverType,
        Procedure = request.Procedure,
        ExpireTime = request.ExpireTime,
        ClassId = request.ClassId,
        SourceContext = request.SourceContext,
        SessionContext = request.SessionContext,
        SubAppId = request.SubAppId,
        StorageRegion = request.StorageRegion,
        ExtInfo = request.ExtInfo,
        MediaStoragePath = request.MediaStoragePath,
        ConcurrentUploadNumber = request.ConcurrentUploadNumber,
    };
}
