using System.Buffers;
using System.Net;

namespace VodRaw.Transfer;

/// <summary>
/// An HTTP body over one <see cref="PartData"/>: held bytes are written in chunks straight from their buffer (no
/// copy); a streamed range is read from its source one chunk at a time into an array this body rents (from the
/// upload's pool) and returns itself, hashed, and written. Either way it reports progress, keeps the inactivity watch alive, is paced by the
/// client's rate limiter when it has one, and ends with <see cref="Written"/>: the CRC-64 of every byte it wrote.
/// </summary>
internal sealed class PartContent : HttpContent
{
    /// <summary>Progress and inactivity granularity, and a streamed part's read chunk (the memory it holds).</summary>
    public const int ChunkSize = 128 * 1024;

    private readonly PartData _data;
    private readonly Http.InactivityWatchdog _watch;
    private readonly PartProgress _progress;
    private readonly RateLimiter? _limiter;
    private readonly TaskCompletionSource<ulong?> _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PartContent(PartData data, Http.InactivityWatchdog watch, PartProgress progress, RateLimiter? limiter = null)
    {
        _data = data;
        _watch = watch;
        _progress = progress;
        _limiter = limiter;
        Headers.ContentLength = data.Length;
    }

    /// <summary>
    /// The CRC-64 of the whole body once its last byte is written; null when writing stopped early (the connection
    /// failed, the request was cancelled, or the source could not be read).
    /// </summary>
    public Task<ulong?> Written => _written.Task;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        ulong? crc = null;
        try
        {
            if (_data.IsHeld)
            {
                await WriteAsync(stream, _data.Bytes, 0, cancellationToken).ConfigureAwait(false);
                crc = _data.KnownCrc64;
            }
            else
            {
                crc = await WriteStreamedAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _written.TrySetResult(crc);
        }
    }

    private async Task<ulong> WriteStreamedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var source = _data.Source!;
        var pool = _data.Chunks!;
        var array = pool.Rent(Math.Min(ChunkSize, Math.Max(_data.Length, 1)));
        try
        {
            ulong crc = 0;
            var sent = 0;
            while (sent < _data.Length)
            {
                var want = Math.Min(array.Length, _data.Length - sent);
                var chunk = array.AsMemory(0, want);
                try
                {
                    var n = await source.ReadAsync(_data.Offset + sent, chunk, cancellationToken).ConfigureAwait(false);
                    if (n < want)
                    {
                        source.EnsureUnchanged($"bytes {_data.Offset}-{_data.Offset + _data.Length - 1} have only {sent + n} of {_data.Length}");
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new Http.LocalBodyFailure(e);
                }

                crc = VodRaw.Hashing.Crc64.Append(crc, chunk.Span);
                await WriteAsync(stream, chunk, sent, cancellationToken).ConfigureAwait(false);
                sent += want;
            }

            return crc;
        }
        finally
        {
            pool.Return(array);
        }
    }

    /// <summary>Writes <paramref name="bytes"/>, which start <paramref name="before"/> bytes into the body.</summary>
    private async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> bytes, int before, CancellationToken cancellationToken)
    {
        var done = 0;
        var chunk = _limiter?.ChunkSize ?? ChunkSize;
        while (done < bytes.Length)
        {
            var n = Math.Min(chunk, bytes.Length - done);
            if (_limiter is not null)
            {
                await _limiter.WaitAsync(n, cancellationToken).ConfigureAwait(false);
                _watch.Poke();
            }

            await stream.WriteAsync(bytes.Slice(done, n), cancellationToken).ConfigureAwait(false);
            done += n;
            _watch.Poke();
            _progress.Sent(before + done);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _data.Length;
        return true;
    }
}
