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

    /// <summary>
    /// The most bytes of part buffers the client holds at once, over every upload it runs at the same time (set it when
    /// one client uploads many files at once, as a batch does). Default null: no shared budget, each upload holds at most
    /// its own parts in flight × part size. Unit bytes; at least <see cref="PartSize"/>. Counted in bytes, so small
    /// files' PUTs run beside a big file's parts; a part larger than the whole budget waits until nothing else is held.
    /// </summary>
    public long? MemoryBudget { get; set; }

    /// <summary>
    /// Caps the bytes per second the client sends to COS, over every upload it runs (a token bucket; request headers
    /// and VOD API calls are not counted). Default null: no cap. Unit bytes per second; at least 1024.
    /// </summary>
    public long? MaxBytesPerSecond { get; set; }

    internal TransferOptions Validated()
    {
        ValidatePartSize(PartSize, nameof(PartSize));
        ValidateConcurrency(Concurrency, nameof(Concurrency));
        if (MemoryBudget is { } budget)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(budget, PartSize, nameof(MemoryBudget));
        }

        if (MaxBytesPerSecond is { } rate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(rate, 1024, nameof(MaxBytesPerSecond));
        }

        return new TransferOptions
        {
            PartSize = PartSize,
            Concurrency = Concurrency,
            SendContentMd5 = SendContentMd5,
            MemoryBudget = MemoryBudget,
            MaxBytesPerSecond = MaxBytesPerSecond,
        };
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
