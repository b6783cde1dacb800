namespace VodRaw.Transfer;

/// <summary>
/// The body of one part or PUT, in one of two forms. Held: the bytes are in a pooled buffer and their CRC-64 is known
/// before the request is built (streams, Content-MD5, single PUTs). Streamed: a range of a positional source (a file)
/// read chunk by chunk while it is written to the socket, its CRC-64 computed on the way; every attempt reads the
/// range again, so a part in flight holds one chunk, not the whole part.
/// </summary>
internal sealed class PartData
{
    private readonly ReadOnlyMemory<byte> _bytes;

    private PartData(ReadOnlyMemory<byte> bytes, ulong? crc64, IPartSource? source, long offset, int length, System.Buffers.ArrayPool<byte>? chunks)
    {
        Chunks = chunks;
        _bytes = bytes;
        KnownCrc64 = crc64;
        Source = source;
        Offset = offset;
        Length = length;
    }

    /// <summary>Body bytes.</summary>
    public int Length { get; }

    /// <summary>Whether the bytes are held in memory (<see cref="Bytes"/>); otherwise they are read from <see cref="Source"/>.</summary>
    public bool IsHeld => Source is null;

    /// <summary>The held bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => IsHeld ? _bytes : throw new InvalidOperationException("A streamed part has no bytes in memory.");

    /// <summary>The CRC-64 of held bytes; null for a streamed part (known once it is written).</summary>
    public ulong? KnownCrc64 { get; }

    /// <summary>The positional source of a streamed part.</summary>
    public IPartSource? Source { get; }

    /// <summary>Where a streamed part starts in <see cref="Source"/>.</summary>
    public long Offset { get; }

    /// <summary>The upload's pool a streamed part's body rents its chunk from (and returns it to) while it is written; null when held.</summary>
    public System.Buffers.ArrayPool<byte>? Chunks { get; }

    public static PartData Held(ReadOnlyMemory<byte> bytes, ulong crc64) => new(bytes, crc64, null, 0, bytes.Length, null);

    public static PartData Streamed(IPartSource source, long offset, int length, System.Buffers.ArrayPool<byte> chunks)
    {
        if (source.IsSequential)
        {
            throw new ArgumentException("Only a positional source can be streamed part by part.", nameof(source));
        }

        return new(default, null, source, offset, length, chunks);
    }
}
