namespace VodRaw.Transfer;

/// <summary>
/// How one object of known length is cut: a single PUT when it fits in one part, otherwise parts of
/// <see cref="PartSize"/> (the last one shorter). The part size is the preferred size doubled until at most 10,000
/// parts are needed, never above 5 GiB; an object that cannot fit is refused before any byte is read.
/// </summary>
internal readonly record struct PartPlan(long Length, long PartSize, int PartCount)
{
    public const int MaxParts = 10_000;

    /// <summary>The largest object a multipart upload can carry: 10,000 parts of 5 GiB.</summary>
    public const long MaxObjectSize = MaxParts * TransferOptions.MaxPartSize;

    /// <summary>
    /// The largest part VodRaw holds in one managed buffer (2047 MiB, under <see cref="Array.MaxLength"/>). Plans with
    /// bigger parts (objects over about 19.99 TiB) are refused before anything is sent.
    /// </summary>
    public const long MaxBufferedPartSize = 2047L * 1024 * 1024;

    public bool IsSinglePut => PartCount == 1;

    /// <summary>Throws when a part of this plan cannot be buffered, naming the limit.</summary>
    public void EnsureBufferable()
    {
        if (PartSize > MaxBufferedPartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize,
                $"An object of {Length} bytes needs parts of {PartSize} bytes; VodRaw buffers parts of at most {MaxBufferedPartSize} bytes (objects up to about 19.99 TiB).");
        }
    }

    public static PartPlan Create(long length, long preferredPartSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        TransferOptions.ValidatePartSize(preferredPartSize, nameof(preferredPartSize));
        if (length <= preferredPartSize)
        {
            return new PartPlan(length, Math.Max(length, 0), 1);
        }

        if (length > MaxObjectSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"An object of {length} bytes needs more than {MaxParts} parts of 5 GiB; COS cannot store it.");
        }

        var partSize = preferredPartSize;
        while (Count(length, partSize) > MaxParts)
        {
            partSize = Math.Min(partSize * 2, TransferOptions.MaxPartSize);
        }

        if (partSize > MaxBufferedPartSize && preferredPartSize <= MaxBufferedPartSize)
        {
            // A doubling past what one buffer holds: take the exact size instead (whole MiB), when it fits a buffer.
            const long MiB = 1024 * 1024;
            var exact = (Count(length, MaxParts) + MiB - 1) / MiB * MiB;
            if (exact <= MaxBufferedPartSize)
            {
                partSize = Math.Max(exact, preferredPartSize);
            }
        }

        return new PartPlan(length, partSize, (int)Count(length, partSize));
    }

    /// <summary>Offset and size of the part at a 0-based index.</summary>
    public (long Offset, long Size) GetPart(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, PartCount);
        var offset = index * PartSize;
        return (offset, Math.Min(PartSize, Length - offset));
    }

    private static long Count(long length, long partSize) => (length + partSize - 1) / partSize;
}
