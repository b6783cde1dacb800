using Microsoft.Win32.SafeHandles;

namespace VodRaw.Transfer;

/// <summary>Where an object's bytes come from.</summary>
internal interface IPartSource : IDisposable
{
    /// <summary>Total length, or null when unknown until the end is reached.</summary>
    long? Length { get; }

    /// <summary>Whether parts must be read in order, one at a time (streams); files allow positional parallel reads.</summary>
    bool IsSequential { get; }

    /// <summary>
    /// Whether a part may be read chunk by chunk while it is sent (<see cref="PartData.Streamed"/>): true only for
    /// local files, where reading again costs nothing; a URL's part is one GET and is held whole.
    /// </summary>
    bool ReadsWhileSending { get; }

    /// <summary>Told the part size before any part is read (a URL source then reads each part as one GET while it is sent).</summary>
    void PlanParts(long partSize)
    {
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; returns fewer bytes only at the end.</summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>
    /// Fills <paramref name="buffer"/> like <see cref="ReadAsync"/> and returns the CRC-64 of what was read, computed
    /// chunk by chunk while each chunk is still in cache (no second pass over the part).
    /// </summary>
    ValueTask<(int Read, ulong Crc64)> ReadHashedAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>
    /// Called after every part is read: throws <see cref="FileChangedException"/> when the source is no longer what it
    /// was when the upload started (<paramref name="shortRead"/> describes a read that came up short).
    /// </summary>
    void EnsureUnchanged(string? shortRead);
}

/// <summary>Chunked read-and-hash shared by the sources.</summary>
internal static class PartSourceReading
{
    /// <summary>Read granularity: each chunk is hashed right after it lands, while it is still in cache.</summary>
    public const int ChunkSize = 1024 * 1024;

    public static async ValueTask<(int Read, ulong Crc64)> ReadHashedAsync(IPartSource source, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        ulong crc = 0;
        while (total < buffer.Length)
        {
            var chunk = buffer.Slice(total, Math.Min(ChunkSize, buffer.Length - total));
            var n = await source.ReadAsync(offset + total, chunk, cancellationToken).ConfigureAwait(false);
            crc = VodRaw.Hashing.Crc64.Append(crc, chunk.Span[..n]);
            total += n;
            if (n < chunk.Length)
            {
                break;
            }
        }

        return (total, crc);
    }
}

/// <summary>A file read with positional reads (RandomAccess): parts are read in parallel, straight into their buffers.</summary>
internal sealed class FilePartSource : IPartSource
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly DateTime _lastWrite;

    /// <summary>Opens a file; an unreadable one is an <see cref="ArgumentException"/> with the OS reason (nothing has been sent).</summary>
    public FilePartSource(string path)
    {
        _path = path;
        try
        {
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ArgumentException($"Cannot read {path}: {e.Message}", "request", e);
        }

        Length = RandomAccess.GetLength(_handle);
        _lastWrite = File.GetLastWriteTimeUtc(_handle);
    }

    public void EnsureUnchanged(string? shortRead)
    {
        if (shortRead is not null)
        {
            throw new FileChangedException(_path, "it became shorter: " + shortRead);
        }

        var length = RandomAccess.GetLength(_handle);
        if (length != Length)
        {
            throw new FileChangedException(_path, $"its size went from {Length} to {length} bytes");
        }

        var lastWrite = File.GetLastWriteTimeUtc(_handle);
        if (lastWrite != _lastWrite)
        {
            throw new FileChangedException(_path, $"it was written at {lastWrite:O}, after the upload started");
        }
    }

    public long? Length { get; }

    /// <summary>The file's last write time when it was opened (UTC).</summary>
    public DateTime LastWriteUtc => _lastWrite;

    public bool IsSequential => false;

    public bool ReadsWhileSending => true;

    public ValueTask<(int Read, ulong Crc64)> ReadHashedAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            return PartSourceReading.ReadHashedAsync(this, offset, buffer, cancellationToken); // true overlapped I/O there
        }

        // Elsewhere .NET serves async file reads by blocking a thread-pool thread per call; one work item per part
        // that reads and hashes 1 MiB at a time costs one allocation instead of one per chunk.
        return new ValueTask<(int, ulong)>(Task.Run(() => ReadHashedSync(offset, buffer, cancellationToken), cancellationToken));
    }

    private (int Read, ulong Crc64) ReadHashedSync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var span = buffer.Span;
        var total = 0;
        ulong crc = 0;
        while (total < span.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = span.Slice(total, Math.Min(PartSourceReading.ChunkSize, span.Length - total));
            var read = ReadSync(offset + total, chunk);
            crc = VodRaw.Hashing.Crc64.Append(crc, chunk[..read]);
            total += read;
            if (read < chunk.Length)
            {
                break;
            }
        }

        return (total, crc);
    }

    /// <remarks>
    /// Off Windows the read runs inline: .NET would queue it as a thread-pool work item that blocks on it anyway, and
    /// the caller (a part's body being sent, one 128 KiB chunk at a time) already runs on a pool thread, so this saves
    /// a work item and its dispatch per chunk. On Windows the handle does true overlapped I/O.
    /// </remarks>
    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            return ReadOverlappedAsync(offset, buffer, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<int>(ReadSync(offset, buffer.Span));
    }

    private int ReadSync(long offset, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(_handle, buffer[total..], offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private async ValueTask<int> ReadOverlappedAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await RandomAccess.ReadAsync(_handle, buffer[total..], offset + total, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>A caller's stream, read once in order (callers serialise reads). Not disposed here: the caller owns it.</summary>
internal sealed class StreamPartSource(Stream stream, long? length) : IPartSource
{
    private long _position;

    public long? Length { get; } = length;

    public bool IsSequential => true;

    public bool ReadsWhileSending => false;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (offset != _position)
        {
            throw new InvalidOperationException("Stream parts must be read in order.");
        }

        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        _position += total;
        return total;
    }

    public ValueTask<(int Read, ulong Crc64)> ReadHashedAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        PartSourceReading.ReadHashedAsync(this, offset, buffer, cancellationToken);

    public void EnsureUnchanged(string? shortRead)
    {
        if (shortRead is not null)
        {
            throw new FileChangedException("(the media stream)", "it ended before its declared length: " + shortRead);
        }
    }

    public void Dispose()
    {
    }
}
