namespace VodRaw.Transfer;

/// <summary>
/// Hands out the next part to a worker: a buffer from the pool filled with that part's bytes. Files are read
/// positionally and in parallel; streams are read in order under a lock (uploads still run in parallel).
/// </summary>
/// <remarks>
/// A stream's first part, read (and hashed) to choose between one PUT and multipart, is handed in as is. A resumed
/// upload passes the part numbers COS already holds in <c>skip</c> (files only): they are not read again. With
/// <c>streamed</c> (files only), a part is not read here at all: it gets a reservation of one chunk and is read while
/// it is sent (<see cref="PartData.Streamed"/>).
/// </remarks>
internal sealed class PartReader(IPartSource source, long partSize, int? partCount, PartReader.Part? firstPart, int maxParts = PartPlan.MaxParts, IReadOnlySet<int>? skip = null, bool streamed = false) : IDisposable
{
    private readonly SemaphoreSlim _sequential = new(1, 1);
    private PartHolder? _firstPart = firstPart is { } f ? new PartHolder(f) : null;
    private int _nextIndex = firstPart is null ? 0 : 1;
    private long _nextOffset = firstPart is null ? 0 : partSize;
    private bool _ended;

    /// <summary>
    /// Part number (1-based), its buffer (owned by the caller from now on), its size and CRC-64; a streamed part's
    /// buffer is a reservation and its bytes are read from <see cref="Source"/> at <c>Offset</c> while it is sent.
    /// </summary>
    public readonly record struct Part(int Number, PartBuffer Buffer, int Size, ulong Crc64, long Offset = 0, bool Streamed = false)
    {
        /// <summary>The body to send.</summary>
        public PartData Data(IPartSource source, System.Buffers.ArrayPool<byte> chunks) =>
            Streamed ? PartData.Streamed(source, Offset, Size, chunks) : PartData.Held(Buffer.Memory[..Size], Crc64);
    }

    /// <summary>Where the parts come from.</summary>
    public IPartSource Source => source;

    public async ValueTask<Part?> NextAsync(PartBufferPool pool, CancellationToken cancellationToken)
    {
        var preloaded = Interlocked.Exchange(ref _firstPart, null);
        if (preloaded is not null)
        {
            return preloaded.Part;
        }

        return source.IsSequential
            ? await NextSequentialAsync(pool, cancellationToken).ConfigureAwait(false)
            : await NextPositionalAsync(pool, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<Part?> NextPositionalAsync(PartBufferPool pool, CancellationToken cancellationToken)
    {
        var count = partCount!.Value;
        int index;
        do
        {
            index = Interlocked.Increment(ref _nextIndex) - 1;
            if (index >= count)
            {
                return null;
            }
        }
        while (skip is not null && skip.Contains(index + 1));

        var offset = index * partSize;
        var size = (int)Math.Min(partSize, source.Length!.Value - offset);
        if (streamed)
        {
            var reservation = await pool.ReserveAsync(Math.Min(size, PartContent.ChunkSize), cancellationToken).ConfigureAwait(false);
            return new Part(index + 1, reservation, size, 0, offset, Streamed: true);
        }

        var buffer = await pool.RentAsync(size, cancellationToken, capacity: (int)partSize).ConfigureAwait(false);
        try
        {
            var (n, crc) = await source.ReadHashedAsync(offset, buffer.Memory, cancellationToken).ConfigureAwait(false);
            source.EnsureUnchanged(n == size ? null : $"part {index + 1} has {n} of {size} bytes");

            return new Part(index + 1, buffer, size, crc);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private async ValueTask<Part?> NextSequentialAsync(PartBufferPool pool, CancellationToken cancellationToken)
    {
        var buffer = await pool.RentAsync(checked((int)partSize), cancellationToken).ConfigureAwait(false);
        var handedOut = false;
        try
        {
            await _sequential.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_ended || (partCount is { } c && _nextIndex >= c))
                {
                    return null;
                }

                var (n, crc) = await source.ReadHashedAsync(_nextOffset, buffer.Memory, cancellationToken).ConfigureAwait(false);
                source.EnsureUnchanged(null);
                if (n == 0)
                {
                    _ended = true;
                    return null;
                }

                if (n < partSize)
                {
                    _ended = true;
                }

                if (_nextIndex >= maxParts)
                {
                    // Known only once the stream is read this far; the started multipart upload is aborted.
                    throw new ArgumentException(
                        $"The media (read in order: a stream, or a URL whose origin gave no length) is longer than {maxParts} parts of {partSize} bytes (COS allows at most {PartPlan.MaxParts} parts); set a larger TransferOptions.PartSize (the CLI's --part-size) for media of this size.", "request");
                }

                _nextIndex++;
                _nextOffset += n;
                handedOut = true;
                return new Part(_nextIndex, buffer, n, crc);
            }
            finally
            {
                _sequential.Release();
            }
        }
        finally
        {
            if (!handedOut)
            {
                buffer.Dispose();
            }
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _firstPart, null)?.Part.Buffer.Dispose();
    }

    /// <summary>Boxes the handed-in part so it can be taken exactly once.</summary>
    private sealed record PartHolder(Part Part);
}
