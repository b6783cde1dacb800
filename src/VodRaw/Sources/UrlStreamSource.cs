using VodRaw.Transfer;

namespace VodRaw.Sources;

/// <summary>
/// A URL whose origin serves no ranges (or no length): one GET read in order, like a stream; parts still upload in
/// parallel. A broken connection cannot be continued from where it broke, so it fails the upload
/// (<see cref="OriginException"/>, transient); nothing of it is resumable.
/// </summary>
internal sealed class UrlStreamSource(OriginClient client, OriginObject origin, TimeProvider time, TimeSpan inactivity) : IPartSource
{
    private HttpResponseMessage? _response;
    private Stream? _body;
    private long _position;

    public long? Length => origin.Length;

    public bool IsSequential => true;

    public bool ReadsWhileSending => false;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (offset != _position)
        {
            throw new InvalidOperationException("Stream parts must be read in order.");
        }

        if (_body is null)
        {
            _response = await client.OpenAsync(origin, cancellationToken).ConfigureAwait(false);
            _body = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }

        var total = 0;
        while (total < buffer.Length)
        {
            int n;
            using (var idle = new CancellationTokenSource(inactivity, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token))
            {
                try
                {
                    n = await _body.ReadAsync(buffer[total..], linked.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is IOException or HttpRequestException or OperationCanceledException)
                {
                    var why = idle.IsCancellationRequested ? $"no data came for {inactivity.TotalSeconds} s" : Http.HttpSender.TransportReason(e);
                    throw new OriginException(origin.Url.Display,
                        $"Reading {origin.Url.Display} broke after {_position + total} bytes ({why}); its origin serves no byte ranges, so the upload cannot continue from there. Nothing was committed; try again.", e)
                    {
                        Operation = "OriginGet",
                        Host = OriginClient.HostOf(origin.Location.Uri),
                        IsTransient = true,
                    };
                }
            }

            if (n == 0)
            {
                if (Length is { } length && _position + total < length)
                {
                    throw new OriginException(origin.Url.Display,
                        $"The origin of {origin.Url.Display} ended its reply after {_position + total} of the {length} bytes it announced; its origin serves no byte ranges, so the upload cannot continue from there. Nothing was committed; try again.")
                    {
                        Operation = "OriginGet",
                        Host = OriginClient.HostOf(origin.Location.Uri),
                        IsTransient = true,
                    };
                }

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
            throw new FileChangedException(origin.Url.Display, "it ended before its announced length: " + shortRead);
        }
    }

    public void Dispose()
    {
        _body?.Dispose();
        _response?.Dispose();
    }
}
