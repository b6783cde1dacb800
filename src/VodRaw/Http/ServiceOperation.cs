namespace VodRaw.Http;

/// <summary>Every call VodRaw makes; the retry table and error messages are keyed by it.</summary>
internal enum ServiceOperation
{
    ApplyUpload,
    CommitUpload,
    ParseStreamingManifest,
    PutObject,
    InitiateMultipartUpload,
    UploadPart,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListMultipartUploads,
    ListParts,
    HeadObject,

    /// <summary>The first GET of a URL source (<c>Range: bytes=0-0</c>): its length, validators and range support.</summary>
    OriginProbe,

    /// <summary>A GET of a URL source's bytes (a range, or the whole object from an origin without ranges).</summary>
    OriginGet,

    /// <summary>VOD PullUpload: VOD fetches a URL itself (spec/pull.md).</summary>
    PullUpload,

    /// <summary>VOD DescribeTaskDetail: a pull task's status, read while waiting.</summary>
    DescribeTaskDetail,

    /// <summary>VOD DescribeTasks: finds the pull a lost PullUpload reply started, by its SessionId.</summary>
    DescribeTasks,
}

/// <summary>Wire names of the operations (what exceptions carry in <see cref="VodRawException.Operation"/>).</summary>
internal static class ServiceOperationNames
{
    public static string Name(this ServiceOperation operation) => operation switch
    {
        ServiceOperation.ApplyUpload => "ApplyUpload",
        ServiceOperation.CommitUpload => "CommitUpload",
        ServiceOperation.ParseStreamingManifest => "ParseStreamingManifest",
        ServiceOperation.PutObject => "PutObject",
        ServiceOperation.InitiateMultipartUpload => "InitiateMultipartUpload",
        ServiceOperation.UploadPart => "UploadPart",
        ServiceOperation.CompleteMultipartUpload => "CompleteMultipartUpload",
        ServiceOperation.AbortMultipartUpload => "AbortMultipartUpload",
        ServiceOperation.ListMultipartUploads => "ListMultipartUploads",
        ServiceOperation.ListParts => "ListParts",
        ServiceOperation.HeadObject => "HeadObject",
        ServiceOperation.OriginProbe => "OriginProbe",
        ServiceOperation.OriginGet => "OriginGet",
        ServiceOperation.PullUpload => "PullUpload",
        ServiceOperation.DescribeTaskDetail => "DescribeTaskDetail",
        ServiceOperation.DescribeTasks => "DescribeTasks",
        _ => operation.ToString(),
    };

    /// <summary>Whether the call reads a URL source's origin (not a Tencent service).</summary>
    public static bool IsOrigin(this ServiceOperation operation) => operation is ServiceOperation.OriginProbe or ServiceOperation.OriginGet;

    public static bool IsVodApi(this ServiceOperation operation) =>
        operation is ServiceOperation.ApplyUpload or ServiceOperation.CommitUpload or ServiceOperation.ParseStreamingManifest
            or ServiceOperation.PullUpload or ServiceOperation.DescribeTaskDetail or ServiceOperation.DescribeTasks;
}
