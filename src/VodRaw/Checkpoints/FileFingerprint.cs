using System.Buffers;
using VodRaw.Transfer;

namespace VodRaw.Checkpoints;

/// <summary>
/// Who a file is, cheaply: its size, last-write time, and the CRC-64 of its first and last MiB. A resumed upload
/// mixes old parts with new ones only when every field still matches (a changed file starts fresh).
/// </summary>
internal sealed class FileFingerprint
{
    public const int EdgeBytes = 1024 * 1024;

    public long Size { get; set; }

    /// <summary>Last write, UTC ticks.</summary>
    public long LastWriteTicks { get; set; }

    public ulong HeadCrc64 { get; set; }

    public ulong TailCrc64 { get; set; }

    /// <summary>For a URL source, the origin's ETag (null for files, and for origins that give none).</summary>
    public string? ETag { get; set; }

    public bool Matches(FileFingerprint other) =>
        Size == other.Size && LastWriteTicks == other.LastWriteTicks && HeadCrc64 == other.HeadCrc64 && TailCrc64 == other.TailCrc64
        && string.Equals(ETag, other.ETag, StringComparison.Ordinal);

    /// <summary>
    /// The fingerprint of a URL source: its length, Last-Modified (as the last-write time) and ETag — the origin's own
    /// identity. (An origin with neither validator keeps no checkpoint: hashing its edges would miss a change between.)
    /// </summary>
    public static FileFingerprint OfOrigin(Sources.OriginObject origin) =>
        new() { Size = origin.Length!.Value, LastWriteTicks = origin.LastModified?.UtcTicks ?? 0, ETag = origin.ETag };

    /// <summary>The fingerprint of a file now; an unreadable file is an <see cref="ArgumentException"/> as for uploads.</summary>
    /// <remarks>
    /// Read in 64 KiB chunks through one buffer size, whatever the file's size: a batch fingerprints thousands of
    /// files of every size, and buffers sized to each file left a pooled array of every size class on every thread
    /// (measured: +20 % peak RSS for 200 small files; benchmarks/README.md, "Batch").
    /// </remarks>
    public static async Task<FileFingerprint> OfAsync(string path, CancellationToken cancellationToken)
    {
        using var file = new FilePartSource(path);
        var size = file.Length!.Value;
        var edge = Math.Min(EdgeBytes, size);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var head = await CrcAsync(file, 0, edge, buffer, cancellationToken).ConfigureAwait(false);
            var tail = await CrcAsync(file, size - edge, edge, buffer, cancellationToken).ConfigureAwait(false);
            return new FileFingerprint { Size = size, LastWriteTicks = file.LastWriteUtc.Ticks, HeadCrc64 = head, TailCrc64 = tail };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const int ChunkBytes = 64 * 1024;

    /// <summary>The CRC-64 of <paramref name="length"/> bytes from <paramref name="offset"/>, chunk by chunk (combined).</summary>
    private static async Task<ulong> CrcAsync(FilePartSource file, long offset, long length, byte[] buffer, CancellationToken cancellationToken)
    {
        ulong crc = 0;
        for (long done = 0; done < length;)
        {
            var n = (int)Math.Min(ChunkBytes, length - done);
            var (read, chunk) = await file.ReadHashedAsync(offset + done, buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            crc = Hashing.Crc64.Combine(crc, chunk, read);
            done += read;
        }

        return crc;
    }
}
