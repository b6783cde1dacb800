using System.Collections.Concurrent;

namespace VodRaw.Emulator;

/// <summary>An in-progress multipart upload.</summary>
internal sealed class MultipartUpload(string uploadId, string bucket, string key, DateTimeOffset initiated, string directory)
{
    public string UploadId { get; } = uploadId;

    public string Bucket { get; } = bucket;

    public string Key { get; } = key;

    public DateTimeOffset Initiated { get; } = initiated;

    public string Directory { get; } = directory;

    public ConcurrentDictionary<int, StoredPart> Parts { get; } = new();
}

/// <summary>One uploaded part: its size, hashes and file.</summary>
internal sealed record StoredPart(int PartNumber, long Size, string ETag, ulong Crc64, string? FilePath, DateTimeOffset LastModified);
