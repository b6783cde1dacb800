using VodRaw.Hashing;
using VodRaw.Transfer;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// VodRaw's own <see cref="FilePartSource"/> over a page-cached file, presented as <paramref name="logicalLength"/>
/// bytes by wrapping around (offset modulo the file's length), so a 1 GiB file measures a 2 GiB upload without a 2 GiB
/// file. A read that straddles the wrap is split in two and the CRCs combined; with part sizes that divide the file's
/// length (1, 8, 32 MiB into 1 GiB) that never happens and every read is exactly the library's.
/// </summary>
internal sealed class WrappingPartSource(string path, long logicalLength) : IPartSource
{
    private readonly FilePartSource _file = new(path);

    public long? Length => logicalLength;

    public bool IsSequential => false;

    public bool ReadsWhileSending => true;

    private long Physical => _file.Length!.Value;

    public async ValueTask<(int Read, ulong Crc64)> ReadHashedAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        buffer = buffer[..(int)Math.Min(buffer.Length, Math.Max(0, logicalLength - offset))];
        var at = offset % Physical;
        var first = (int)Math.Min(buffer.Length, Physical - at);
        var (read, crc) = await _file.ReadHashedAsync(at, buffer[..first], cancellationToken).ConfigureAwait(false);
        if (first < buffer.Length)
        {
            var (more, crc2) = await ReadHashedAsync(offset + first, buffer[first..], cancellationToken).ConfigureAwait(false);
            crc = Crc64.Combine(crc, crc2, more);
            read += more;
        }

        return (read, crc);
    }

    public void EnsureUnchanged(string? shortRead) => _file.EnsureUnchanged(shortRead);

    /// <summary>A streamed part's chunk read (hashed by the library as it is sent, so not here).</summary>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        buffer = buffer[..(int)Math.Min(buffer.Length, Math.Max(0, logicalLength - offset))];
        var at = offset % Physical;
        var first = (int)Math.Min(buffer.Length, Physical - at);
        var read = await _file.ReadAsync(at, buffer[..first], cancellationToken).ConfigureAwait(false);
        return first < buffer.Length ? read + await ReadAsync(offset + first, buffer[first..], cancellationToken).ConfigureAwait(false) : read;
    }

    public void Dispose() => _file.Dispose();
}
