using System.Net;

namespace VodRaw.Transfer;

/// <summary>
/// An HTTP body over a slice of a pooled part buffer: written to the socket in chunks straight from the buffer (no
/// copy), reporting progress and keeping the inactivity watch alive, paced by the client's rate limiter when it has
/// one. It does not own the buffer.
/// </summary>
internal sealed class PartContent : HttpContent
{
    private const int ChunkSize = 1024 * 1024; // progress and inactivity granularity; larger writes cost fewer syscalls
    private readonly ReadOnlyMemory<byte> _data;
    private readonly Http.InactivityWatchdog _watch;
    private readonly PartProgress _progress;
    private readonly RateLimiter? _limiter;

    public PartContent(ReadOnlyMemory<byte> data, Http.InactivityWatchdog watch, PartProgress progress, RateLimiter? limiter = null)
    {
        _data = data;
        _watch = watch;
        _progress = progress;
        _limiter = limiter;
        Headers.ContentLength = data.Length;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var sent = 0;
        var chunk = _limiter?.ChunkSize ?? ChunkSize;
        while (sent < _data.Length)
        {
            var n = Math.Min(chunk, _data.Length - sent);
            if (_limiter is not null)
            {
                await _limiter.WaitAsync(n, cancellationToken).ConfigureAwait(false);
                _watch.Poke();
            }

            await stream.WriteAsync(_data.Slice(sent, n), cancellationToken).ConfigureAwait(false);
            sent += n;
            _watch.Poke();
            _progress.Sent(sent);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _data.Length;
        return true;
    }
}
