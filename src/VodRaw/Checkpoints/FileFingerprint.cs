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

    public bool Matches(FileFingerprint other) =>
        Size == other.Size && LastWriteTicks == other.LastWriteTicks && HeadCrc64 == other.HeadCrc64 && TailCrc64 == other.TailCrc64;

    /// <summary>The fingerprint of a file now; an unreadable file is an <see cref="ArgumentException"/> as for uploads.</summary>
    public static async Task<FileFingerprint> OfAsync(string path, CancellationToken cancellationToken)
    {
        using var file = new FilePartSource(path);
        var size = file.Length!.Value;
        var edge = (int)Math.Min(EdgeBytes, size);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(edge, 1));
        try
        {
            var (_, head) = await file.ReadHashedAsync(0, buffer.AsMemory(0, edge), cancellationToken).ConfigureAwait(false);
            var (_, tail) = await file.ReadHashedAsync(size - edge, buffer.AsMemory(0, edge), cancellationToken).ConfigureAwait(false);
            return new FileFingerprint { Size = size, LastWriteTicks = file.LastWriteUtc.Ticks, HeadCrc64 = head, TailCrc64 = tail };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
