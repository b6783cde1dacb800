namespace VodRaw.Emulator;

/// <summary>The operations the emulator serves; faults and the request log name them.</summary>
public enum EmulatorOperation
{
    /// <summary>Not recognised (logged, answered with an error).</summary>
    Unknown,

    /// <summary>VOD ApplyUpload.</summary>
    ApplyUpload,

    /// <summary>VOD CommitUpload.</summary>
    CommitUpload,

    /// <summary>VOD ParseStreamingManifest.</summary>
    ParseStreamingManifest,

    /// <summary>COS PUT Object.</summary>
    PutObject,

    /// <summary>COS Initiate Multipart Upload.</summary>
    InitiateMultipartUpload,

    /// <summary>COS Upload Part.</summary>
    UploadPart,

    /// <summary>COS Complete Multipart Upload.</summary>
    CompleteMultipartUpload,

    /// <summary>COS List Parts.</summary>
    ListParts,

    /// <summary>COS Abort Multipart Upload.</summary>
    AbortMultipartUpload,

    /// <summary>COS HEAD Object.</summary>
    HeadObject,

    /// <summary>COS GET Object.</summary>
    GetObject,

    /// <summary>COS List Multipart Uploads (GET on the bucket with <c>?uploads</c>).</summary>
    ListMultipartUploads,

    /// <summary>VOD PullUpload (the emulator then fetches the media from loopback in the background).</summary>
    PullUpload,

    /// <summary>VOD DescribeTaskDetail.</summary>
    DescribeTaskDetail,

    /// <summary>VOD DescribeTasks.</summary>
    DescribeTasks,
}
