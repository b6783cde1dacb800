namespace VodRaw.Transfer;

/// <summary>
/// The seam between the upload algorithm and the protocol: where one object's bytes go. COS implements it for real;
/// tests implement it in memory to exercise the algorithm without sockets.
/// </summary>
internal interface IMultipartTarget
{
    /// <summary>The bucket, for naming a multipart upload left open.</summary>
    string Bucket { get; }

    /// <summary>The object key, for error messages.</summary>
    string Key { get; }

    /// <summary>Multipart uploads a lost Initiate reply created that could not be aborted.</summary>
    IReadOnlyList<OpenMultipartUpload> StrayUploads { get; }

    /// <summary>
    /// Uploads a whole object (held or streamed) in one request; fails if the server's CRC-64 of it never matches the
    /// CRC-64 of the bytes sent; returns the server's, if reported.
    /// </summary>
    Task<ulong?> PutObjectAsync(PartData data, PartProgress progress, CancellationToken cancellationToken);

    /// <summary>Starts a multipart upload; returns its upload ID.</summary>
    Task<string> InitiateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Uploads one part, held or streamed; fails if the server's CRC-64 of it never matches the CRC-64 of the bytes
    /// sent. The completed part carries that CRC-64.
    /// </summary>
    Task<CompletedPart> UploadPartAsync(string uploadId, int partNumber, PartData data, PartProgress progress, CancellationToken cancellationToken);

    /// <summary>Completes the upload with the parts in ascending order (checking the object's CRC-64 against the parts'); returns it if reported.</summary>
    Task<ulong?> CompleteAsync(string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken);

    /// <summary>Aborts the upload (called with a token of its own, never the caller's cancelled one); false when it was already gone.</summary>
    Task<bool> AbortAsync(string uploadId, CancellationToken cancellationToken);
}
