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

    /// <summary>The parts in flight an upload starts with (and the adaptive setting's first step).</summary>
    public const int DefaultConcurrency = 4;

    /// <summary>64 MiB: the part memory an adaptive upload may grow to when no <see cref="MemoryBudget"/> is set (at least 4 parts' worth).</summary>
    public const long DefaultMemoryBudget = 64L * 1024 * 1024;

    /// <summary>The most parts in flight that can be configured.</summary>
    public const int MaxConcurrency = 64;

    /// <summary>
    /// Preferred part size in bytes. Default 8 MiB; range 1 MiB–5 GiB. A file that would need more than 10,000 parts gets
    /// the smallest doubling of this size that fits. A file no larger than one part is sent with a single PUT.
    /// </summary>
    public long PartSize { get; set; } = DefaultPartSize;

    /// <summary>
    /// Parts in flight at once, across all files of an upload (the reference's ConcurrentUploadNumber; a request's own
    /// value wins). Range 1–64. Default null: adaptive — an upload starts with 4, doubles them while the measured
    /// throughput keeps growing (long round trips, a per-connection cap), goes back to the best setting when it stops
    /// growing, halves them when COS throttles (SlowDown, 503), and never holds more part memory than
    /// <see cref="MemoryBudget"/> (default 64 MiB). A set value is used as is, for the whole upload.
    /// </summary>
    /// <remarks>
    /// A part of a file holds one 128 KiB chunk while it is sent (it is read as it goes); a part of a stream, and any
    /// part when <see cref="SendContentMd5"/> is set, holds a whole part-size buffer.
    /// </remarks>
    public int? Concurrency { get; set; }

    /// <summary>
    /// Send Content-MD5 with every part and PUT so COS rejects corrupted bodies (400 BadDigest). Default false: CRC-64
    /// already verifies every part end to end, and MD5 costs one more pass of CPU over every byte (no extra I/O).
    /// </summary>
    public bool SendContentMd5 { get; set; }

    /// <summary>
    /// The most bytes of part buffers the client holds at once, over every upload it runs at the same time (set it when
    /// one client uploads many files at once, as a batch does), and the ceiling adaptive concurrency grows to. Default
    /// null: no shared budget; an upload with a fixed <see cref="Concurrency"/> holds at most its parts in flight × their
    /// buffers, an adaptive one at most <see cref="DefaultMemoryBudget"/> (64 MiB, or 4 parts in flight if they need more). Unit bytes; at least
    /// <see cref="PartSize"/>. Counted in bytes, so small files' PUTs run beside a big file's parts; a part larger than
    /// the whole budget waits until nothing else is held.
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
        if (Concurrency is { } concurrency)
        {
            ValidateConcurrency(concurrency, nameof(Concurrency));
        }
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
