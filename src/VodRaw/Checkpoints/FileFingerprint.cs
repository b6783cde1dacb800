using System.Buffers;
using VodRaw.Hashing;

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
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
            var size = RandomAccess.GetLength(handle);
            var lastWrite = File.GetLastWriteTimeUtc(handle);
            var edge = (int)Math.Min(EdgeBytes, size);
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(edge, 1));
            try
            {
                var head = await ReadAsync(handle, buffer.AsMemory(0, edge), 0, cancellationToken).ConfigureAwait(false);
                var tail = await ReadAsync(handle, buffer.AsMemory(0, edge), size - edge, cancellationToken).ConfigureAwait(false);
                return new FileFingerprint { Size = size, LastWriteTicks = lastWrite.Ticks, HeadCrc64 = head, TailCrc64 = tail };
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ArgumentException($"Cannot read {path}: {e.Message}", "request", e);
        }
    }

    private static async Task<ulong> ReadAsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await RandomAccess.ReadAsync(handle, buffer[filled..], offset + filled, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return Crc64.Compute(buffer.Span[..filled]);
    }
}
