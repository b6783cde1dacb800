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

    /// <summary>
    /// The parts the service holds for an upload (every page), for a resumed session to reconcile with its journal;
    /// null when the upload is gone (completed or aborted since).
    /// </summary>
    Task<IReadOnlyList<ListedPart>?> ListPartsAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Whether the object is stored with this size and CRC-64 (a Complete applied before a crash recorded it).</summary>
    Task<bool> IsStoredAsync(long size, ulong crc64, CancellationToken cancellationToken);

    /// <summary>
    /// Aborts every multipart upload of this key (one a crash left unrecorded), on a timer of its own; returns those
    /// that could not be aborted, each with its reason.
    /// </summary>
    Task<IReadOnlyList<OpenMultipartUpload>> AbortAllUploadsAsync(string reason);
}

/// <summary>A part as ListParts reports it.</summary>
internal readonly record struct ListedPart(int PartNumber, string ETag, long Size);
