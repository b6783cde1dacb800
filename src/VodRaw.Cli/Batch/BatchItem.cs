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

    public string MediaPath => Request.MediaFilePath!;

    /// <summary>Where this item is named: "line 7 (a.mp4)" or the key.</summary>
    public string Where => Line is { } n ? $"line {n} ({Key})" : Key;

    public VodUploadRequest NewRequest() => new()
    {
        MediaFilePath = Request.MediaFilePath,
        MediaType = Request.MediaType,
        MediaName = Request.MediaName,
        CoverFilePath = Request.CoverFilePath,
        CoverType = Request.CoverType,
        Procedure = Request.Procedure,
        ExpireTime = Request.ExpireTime,
        ClassId = Request.ClassId,
        SourceContext = Request.SourceContext,
        SessionContext = Request.SessionContext,
        SubAppId = Request.SubAppId,
        StorageRegion = Request.StorageRegion,
        ExtInfo = Request.ExtInfo,
        ConcurrentUploadNumber = Request.ConcurrentUploadNumber,
    };
}
