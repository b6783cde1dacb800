namespace VodRaw;

/// <summary>How files are cut into parts and how many go at once.</summary>
public sealed class TransferOptions
{
    /// <summary>1 MiB, the smallest part COS accepts (except the last).</summary>
    public const long MinPartSize = 1024 * 1024;

    /// <summary>5 GiB, the largest part (and the largest single PUT).</summary>
    public const long MaxPartSize = 5L * 1024 * 1024 * 1024;

    /// <summary>The default part size, 8 MiB.</summary>
    public const long DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>The default number of parts in flight.</summary>
    public const int DefaultConcurrency = 4;

    /// <summary>The most parts in flight that can be configured.</summary>
    public const int MaxConcurrency = 64;

    /// <summary>
    /// Preferred part size in bytes. Default 8 MiB; range 1 MiB–5 GiB. A file that would need more than 10,000 parts gets
    /// the smallest doubling of this size that fits. A file no larger than one part is sent with a single PUT.
    /// </summary>
    public long PartSize { get; set; } = DefaultPartSize;

    /// <summary>
    /// Parts in flight at once, across all files of an upload (the reference's ConcurrentUploadNumber; a request's own
    /// value wins). Default 4; range 1–64. Part memory peaks at this many part-size buffers.
    /// </summary>
    public int Concurrency { get; set; } = DefaultConcurrency;

    /// <summary>
    /// Send Content-MD5 with every part and PUT so COS rejects corrupted bodies (400 BadDigest). Default false: CRC-64
    /// already verifies every part end to end, and MD5 costs one more pass of CPU over every byte (no extra I/O).
    /// </summary>
    public bool SendContentMd5 { get; set; }

    internal TransferOptions Validated()
    {
        ValidatePartSize(PartSize, nameof(PartSize));
        ValidateConcurrency(Concurrency, nameof(Concurrency));
        return new TransferOptions { PartSize = PartSize, Concurrency = Concurrency, SendContentMd5 = SendContentMd5 };
    }

    internal static void ValidatePartSize(long partSize, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partSize, MinPartSize, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partSize, MaxPartSize, name);
    }

    internal static void ValidateConcurrency(int concurrency, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(concurrency, MaxConcurrency, name);
    }
}
