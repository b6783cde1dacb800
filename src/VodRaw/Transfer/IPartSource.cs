using Microsoft.Win32.SafeHandles;

namespace VodRaw.Transfer;

/// <summary>Where an object's bytes come from.</summary>
internal interface IPartSource : IDisposable
{
    /// <summary>Total length, or null when unknown until the end is reached.</summary>
    long? Length { get; }

    /// <summary>Whether parts must be read in order, one at a time (streams); files allow positional parallel reads.</summary>
    bool IsSequential { get; }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; returns fewer bytes only at the end.</summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);
}

/// <summary>A file read with positional reads (RandomAccess): parts are read in parallel, straight into their buffers.</summary>
internal sealed class FilePartSource : IPartSource
{
    private readonly SafeFileHandle _handle;

    public FilePartSource(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        Length = RandomAccess.GetLength(_handle);
    }

    public long? Length { get; }

    public bool IsSequential => false;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
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

    public void Dispose()
    {
    }
}
