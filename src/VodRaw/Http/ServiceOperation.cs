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
        _ => operation.ToString(),
    };

    public static bool IsVodApi(this ServiceOperation operation) =>
        operation is ServiceOperation.ApplyUpload or ServiceOperation.CommitUpload or ServiceOperation.ParseStreamingManifest;
}
