using System.Collections.Concurrent;
using System.Globalization;
using VodRaw.Transfer;

namespace VodRaw.Sources;

/// <summary>
/// A URL whose origin serves byte ranges and told its length: every part is one ranged GET, fetched in parallel like
/// a file's positional reads. A part is read while it is sent, like a file's (<see cref="PartData.Streamed"/>): its GET
/// is opened when the part's body starts and read chunk by chunk into the request, so a part in flight holds one chunk,
/// not the whole part; a PUT sent again opens a new GET from the part's start, and a GET that breaks mid-body is
/// continued from where it broke (within the origin's attempt budget). Each GET carries the probe's validators, so a
/// changed object fails as <see cref="FileChangedException"/>. Held reads (<see cref="ReadHashedAsync"/>: Content-MD5
/// uploads, a resume's checks) are one GET each.
/// </summary>
internal sealed class UrlPartSource(OriginClient client, OriginObject origin, TimeProvider time, TimeSpan inactivity, int maxAttempts) : IPartSource
{
    private readonly ConcurrentDictionary<long, Cursor> _cursors = new();
    private long _partSize;

    public long? Length => origin.Length;

    public bool IsSequential => false;

    public bool ReadsWhileSending => true;

    public OriginObject Origin => origin;

    public void PlanParts(long partSize) => Volatile.Write(ref _partSize, partSize);

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var partSize = Volatile.Read(ref _partSize);
        var length = origin.Length!.Value;
        if (partSize == 0 || offset >= length)
        {
            return (await client.ReadRangeAsync(origin, offset, buffer, cancellationToken).ConfigureAwait(false)).Read;
        }

        // One cursor per part: its GET covers the part, read in order as the part's body is sent.
        var index = offset / partSize;
        var last = Math.Min(length, (index + 1) * partSize) - 1;
        var want = (int)Math.Min(buffer.Length, last - offset + 1);
        // A part is read by one sender at a time, so its cursor stays in the map while it is read (no node per chunk).
        if (_cursors.TryGetValue(index, out var cursor) && cursor.Position != offset)
        {
            _cursors.TryRemove(index, out _);
            cursor.Dispose(); // the part is sent again from its start (or elsewhere): a new GET
            cursor = null;
        }

        if (cursor is null)
        {
            cursor = new Cursor(this, offset, last);
            _cursors[index] = cursor;
        }

        try
        {
            await cursor.FillAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            if (cursor.Position > last)
            {
                _cursors.TryRemove(index, out _);
                cursor.Dispose(); // the whole range was read: its connection goes back to the pool
            }

            return want;
        }
        catch
        {
            _cursors.TryRemove(index, out _);
            cursor.Dispose();
            throw;
        }
    }

    public async ValueTask<(int Read, ulong Crc64)> ReadHashedAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        await client.ReadRangeAsync(origin, offset, buffer, cancellationToken).ConfigureAwait(false);

    public void EnsureUnchanged(string? shortRead)
    {
        if (shortRead is not null)
        {
            throw new FileChangedException(origin.Url.Display, "it became shorter: " + shortRead);
        }
    }

    public void Dispose()
    {
        foreach (var index in _cursors.Keys)
        {
            if (_cursors.TryRemove(index, out var cursor))
            {
                cursor.Dispose();
            }
        }
    }

    /// <summary>An open ranged GET of one part, read in order; a body that breaks is reopened from where it broke.</summary>
    private sealed class Cursor(UrlPartSource source, long start, long last) : IDisposable
    {
        private readonly long _first = start;
        private HttpResponseMessage? _response;
        private Stream? _body;
        private int _reopened;
        private CancellationTokenSource? _idle;
        private CancellationTokenSource? _linked;
        private CancellationToken _caller;

        public long Position { get; private set; } = start;

        public async Task FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var filled = 0;
            while (filled < buffer.Length)
            {
                if (_body is null)
                {
                    _response = await source.OpenAsync(Position, last, cancellationToken).ConfigureAwait(false);
                    _body = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                }

                int n;
                var token = Watch(cancellationToken);
                try
                {
                    n = await _body.ReadAsync(buffer[filled..], token).ConfigureAwait(false);
                    _idle!.CancelAfter(Timeout.InfiniteTimeSpan);
                    if (n == 0)
                    {
                        throw new IOException($"the origin's reply ended at byte {Position} of bytes {_first}-{last}");
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is IOException or HttpRequestException or OperationCanceledException)
                {
                    var idled = _idle!.IsCancellationRequested;
                    Close();
                    if (++_reopened >= source.MaxAttempts)
                    {
                        var why = idled ? $"no data came for {source.Inactivity.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s" : Http.HttpSender.TransportReason(e);
                        throw new OriginException(source.Origin.Url.Display,
                            $"Reading bytes={_first}-{last} of {source.Origin.Url.Display} broke {_reopened} times, the last at byte {Position} ({why}). Nothing was committed; try again.", e)
                        {
                            Operation = "OriginGet",
                            Host = OriginClient.HostOf(source.Origin.Location.Uri),
                            Range = $"bytes={_first}-{last}",
                            Attempts = _reopened,
                            IsTransient = true,
                        };
                    }

                    continue; // reopened from Position: only what is missing is fetched again
                }

                filled += n;
                Position += n;
            }
        }

        /// <summary>
        /// A token that cancels when the caller's does or when no byte has come for the inactivity timeout: one timer
        /// per cursor, re-armed for each read (not a timer per chunk).
        /// </summary>
        private CancellationToken Watch(CancellationToken cancellationToken)
        {
            if (_idle is null || _idle.IsCancellationRequested || _caller != cancellationToken)
            {
                _linked?.Dispose();
                _idle?.Dispose();
                _idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, source.Time);
                _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _idle.Token);
                _caller = cancellationToken;
            }

            _idle.CancelAfter(source.Inactivity);
            return _linked!.Token;
        }

        private void Close()
        {
            _body?.Dispose();
            _response?.Dispose();
            _body = null;
            _response = null;
        }

        public void Dispose()
        {
            Close();
            _linked?.Dispose();
            _idle?.Dispose();
        }
    }

    private TimeProvider Time => time;

    private TimeSpan Inactivity => inactivity;

    private int MaxAttempts => maxAttempts;

    private Task<HttpResponseMessage> OpenAsync(long from, long last, CancellationToken cancellationToken) => client.OpenRangeAsync(origin, from, last, cancellationToken);
}
