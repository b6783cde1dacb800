using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using VodRaw.Http;

namespace VodRaw.Sources;

/// <summary>
/// Reads URL sources through the one sender and the origin rows of the retry table: the probe (a one-byte range
/// GET, which presigned URLs allow where HEAD is refused, and which shows whether ranges are served), ranged reads
/// hashed as they arrive, and the whole body of an origin without ranges. Redirects are followed for these GETs
/// only, at most <c>maxRedirects</c> times, only to http(s); headers go only to the origin they were given for.
/// Every later GET carries the probe's validators (If-Match, else If-Unmodified-Since) and checks what comes back,
/// so an object that changes during the upload fails as <see cref="FileChangedException"/>, never mixes.
/// </summary>
internal sealed class OriginClient(HttpSender sender, TimeSpan inactivity, int maxAttempts, int maxRedirects)
{
    /// <summary>The first GET: <c>Range: bytes=0-0</c>; the body of an origin that ignores the range is not read.</summary>
    public async Task<OriginObject> ProbeAsync(SourceUrl url, CancellationToken cancellationToken)
    {
        var (location, probe) = await FollowAsync(url, url, ServiceOperation.OriginProbe, "bytes=0-0", null, ReadProbeAsync, takes: null, cancellationToken).ConfigureAwait(false);
        return new OriginObject(url, location, probe.Length, probe.Ranges, probe.ETag, probe.LastModified);
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> with the bytes from <paramref name="offset"/> (clamped to the object's end) by
    /// one ranged GET, hashing each read as it lands; returns the count and their CRC-64.
    /// </summary>
    public async Task<(int Read, ulong Crc64)> ReadRangeAsync(OriginObject origin, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var length = (int)Math.Min(buffer.Length, origin.Length!.Value - offset);
        if (length <= 0)
        {
            return (0, 0);
        }

        var range = "bytes=" + offset.ToString(CultureInfo.InvariantCulture) + "-" + (offset + length - 1).ToString(CultureInfo.InvariantCulture);
        var target = buffer[..length];
        var (_, result) = await FollowAsync(origin.Url, origin.Location, ServiceOperation.OriginGet, range, origin,
            (response, watchdog, ct) => ReadRangeReplyAsync(response, watchdog, origin, offset, target, ct), takes: null, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The whole object, for an origin without ranges: the reply is the caller's to read in order and dispose.</summary>
    public async Task<HttpResponseMessage> OpenAsync(OriginObject origin, CancellationToken cancellationToken)
    {
        var (_, response) = await FollowAsync(origin.Url, origin.Location, ServiceOperation.OriginGet, null, origin,
            (response, _, _) => Task.FromResult(CheckWhole(response, origin)), takes: _ => true, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <summary>
    /// Bytes <paramref name="first"/>–<paramref name="last"/> as a reply to read in order (a part streamed while it is
    /// sent): checked like a ranged read before the body is handed over; the caller reads and disposes it.
    /// </summary>
    public async Task<HttpResponseMessage> OpenRangeAsync(OriginObject origin, long first, long last, CancellationToken cancellationToken)
    {
        var range = "bytes=" + first.ToString(CultureInfo.InvariantCulture) + "-" + last.ToString(CultureInfo.InvariantCulture);
        var (_, response) = await FollowAsync(origin.Url, origin.Location, ServiceOperation.OriginGet, range, origin,
            (response, _, _) => Task.FromResult(CheckRange(response, origin, first, last)), takes: _ => true, cancellationToken).ConfigureAwait(false);
        return response;
    }

    private Attempt<HttpResponseMessage> CheckRange(HttpResponseMessage response, OriginObject origin, long first, long last)
    {
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            if (ContentRangeOf(response) is not { } range)
            {
                return Invalid("the origin answered a range without Content-Range");
            }

            if (range.Total is { } total && total != origin.Length)
            {
                return Changed($"its length went from {origin.Length} to {total} bytes");
            }

            if (range.First != first || range.Last != last)
            {
                return Invalid($"the origin answered bytes {range.First}-{range.Last} for bytes {first}-{last}");
            }
        }
        else if (response.StatusCode == HttpStatusCode.OK && first == 0 && last == origin.Length - 1)
        {
            // The whole object for a range that is the whole object: the same bytes.
        }
        else if (response.StatusCode == HttpStatusCode.OK)
        {
            return Invalid("the origin answered the whole object to a range request although it served ranges before");
        }
        else
        {
            return ChangedStatus(response) ?? (Attempt<HttpResponseMessage>)ErrorOf(response);
        }

        if ((Validators(response, origin) ?? Encoded(response)) is { } problem)
        {
            return problem;
        }

        if (response.Content.Headers.ContentLength is { } announced && announced != last - first + 1)
        {
            return Invalid($"the origin announced {announced} bytes for a range of {last - first + 1}");
        }

        return Attempt<HttpResponseMessage>.Success(response);
    }

    /// <summary>A small object (a manifest) read whole, at most <paramref name="maxBytes"/>.</summary>
    public async Task<(SourceUrl Location, byte[] Content)> GetAllAsync(SourceUrl url, int maxBytes, CancellationToken cancellationToken) =>
        await FollowAsync(url, url, ServiceOperation.OriginGet, null, null, (response, watchdog, ct) => ReadAllAsync(response, watchdog, url, maxBytes, ct), takes: null, cancellationToken).ConfigureAwait(false);

    private readonly record struct Hop<T>(T? Value, Uri? RedirectTo);

    private readonly record struct Probe(long? Length, bool Ranges, string? ETag, DateTimeOffset? LastModified);

    /// <summary>One call per hop; a redirect answer starts the next hop at its Location.</summary>
    private async Task<(SourceUrl Location, T Value)> FollowAsync<T>(SourceUrl shown, SourceUrl start, ServiceOperation operation, string? range, OriginObject? expected,
        Func<HttpResponseMessage, InactivityWatchdog, CancellationToken, Task<Attempt<T>>> read, Func<T, bool>? takes, CancellationToken cancellationToken)
    {
        var at = start;
        for (var hops = 0; ; hops++)
        {
            var here = at;
            var hop = await sender.SendAsync(new HttpCall<Hop<T>>
            {
                Operation = operation,
                Host = HostOf(here.Uri),
                Inactivity = inactivity,
                MaxAttempts = maxAttempts,
                CreateRequest = (_, _) => CreateRequest(here, range, expected),
                ReadResponse = async (response, watchdog, ct) =>
                {
                    if (RedirectOf(response) is { } location)
                    {
                        return Attempt<Hop<T>>.Success(new Hop<T>(default, location));
                    }

                    var value = await read(response, watchdog, ct).ConfigureAwait(false);
                    return value.Succeeded ? Attempt<Hop<T>>.Success(new Hop<T>(value.Value, null)) : value.Failure!;
                },
                TakesResponse = takes is null ? null : h => h.RedirectTo is null && takes(h.Value!),
                CreateException = (failure, outcome) => CreateException(operation, shown, here, range, failure, outcome),
            }, cancellationToken).ConfigureAwait(false);

            if (hop.RedirectTo is not { } next)
            {
                return (here, hop.Value!);
            }

            var target = next.IsAbsoluteUri ? next : new Uri(here.Uri, next);
            if (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps)
            {
                throw new OriginException(shown.Display, $"The origin of {shown.Display} redirected to a {target.Scheme}: URL; only http and https redirects are followed. Nothing was committed.")
                {
                    Operation = operation.Name(),
                    Host = HostOf(here.Uri),
                    Range = range,
                };
            }

            if (hops >= maxRedirects)
            {
                throw new OriginException(shown.Display, $"The origin of {shown.Display} redirected more than {maxRedirects} times. Nothing was committed.")
                {
                    Operation = operation.Name(),
                    Host = HostOf(here.Uri),
                    Range = range,
                };
            }

            at = shown.Derive(target); // the headers go only to the origin they were given for
        }
    }

    private static HttpRequestMessage CreateRequest(SourceUrl url, string? range, OriginObject? expected)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url.Uri) { Version = HttpVersion.Version11 };
        request.Headers.AcceptEncoding.ParseAdd("identity");
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        if (expected?.StrongETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }
        else if (expected?.LastModified is { } modified)
        {
            request.Headers.IfUnmodifiedSince = modified;
        }

        foreach (var (name, value) in url.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static Uri? RedirectOf(HttpResponseMessage response) =>
        (int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location ? location : null;

    private Task<Attempt<Probe>> ReadProbeAsync(HttpResponseMessage response, InactivityWatchdog watchdog, CancellationToken cancellationToken)
    {
        var etag = response.Headers.ETag?.ToString();
        var modified = response.Content.Headers.LastModified;
        if (response.IsSuccessStatusCode && Encoded(response) is { } encoded)
        {
            return Task.FromResult<Attempt<Probe>>(encoded);
        }

        if (response.IsSuccessStatusCode && string.Equals(response.Content.Headers.ContentType?.MediaType, "text/html", StringComparison.OrdinalIgnoreCase))
        {
            // A web page where media was expected: a login, an error or a landing page answered with 200.
            return Task.FromResult<Attempt<Probe>>(Invalid("the origin answered with a web page (Content-Type text/html), not media: a login, error or landing page?"));
        }

        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent when ContentRangeOf(response) is { Total: { } total }:
                return Task.FromResult(Attempt<Probe>.Success(new Probe(total, true, etag, modified)));
            case HttpStatusCode.PartialContent when ContentRangeOf(response) is { Total: null }:
                return Task.FromResult(Attempt<Probe>.Success(new Probe(null, false, etag, modified))); // no length known: read in order
            case HttpStatusCode.PartialContent:
                return Task.FromResult<Attempt<Probe>>(Invalid("the origin answered a range without a usable Content-Range"));
            case HttpStatusCode.RequestedRangeNotSatisfiable when ContentRangeOf(response) is { Total: 0 }:
                return Task.FromResult(Attempt<Probe>.Success(new Probe(0, true, etag, modified))); // an empty object has no byte 0
            case HttpStatusCode.OK:
                // No ranges: the object streams in order, its length from Content-Length when there is one. The body is not read.
                return Task.FromResult(Attempt<Probe>.Success(new Probe(response.Content.Headers.ContentLength, false, etag, modified)));
            default:
                return Task.FromResult<Attempt<Probe>>(ErrorOf(response));
        }
    }

    private async Task<Attempt<(int, ulong)>> ReadRangeReplyAsync(HttpResponseMessage response, InactivityWatchdog watchdog, OriginObject origin, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var length = buffer.Length;
        if (CheckRange(response, origin, offset, offset + length - 1) is { Failure: { } problem })
        {
            return problem;
        }

        using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var read = 0;
        ulong crc = 0;
        while (read < length)
        {
            var n = await body.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            crc = Hashing.Crc64.Append(crc, buffer.Span.Slice(read, n));
            read += n;
            watchdog.Poke();
        }

        if (read < length)
        {
            return new AttemptFailure(FailureKind.Transport, VodRawErrorCodes.NetworkError,
                $"the origin's reply ended after {read} of {length} bytes") { Status = (int)response.StatusCode };
        }

        return Attempt<(int, ulong)>.Success((read, crc));
    }

    private Attempt<HttpResponseMessage> CheckWhole(HttpResponseMessage response, OriginObject origin)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return ChangedStatus(response) ?? (Attempt<HttpResponseMessage>)ErrorOf(response);
        }

        if (Validators(response, origin) is { } differs)
        {
            return differs;
        }

        if (Encoded(response) is { } encoded)
        {
            return encoded;
        }

        if (response.Content.Headers.ContentLength is { } length && origin.Length is { } known && length != known)
        {
            return Changed($"its length went from {known} to {length} bytes");
        }

        return Attempt<HttpResponseMessage>.Success(response);
    }

    private async Task<Attempt<byte[]>> ReadAllAsync(HttpResponseMessage response, InactivityWatchdog watchdog, SourceUrl url, int maxBytes, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return ErrorOf(response);
        }

        if (response.Content.Headers.ContentLength > maxBytes)
        {
            return new AttemptFailure(FailureKind.InvalidResponse, VodRawErrorCodes.OriginFailed,
                $"{url.Display} is {response.Content.Headers.ContentLength} bytes; at most {maxBytes} are accepted");
        }

        using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var content = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            var n = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return Attempt<byte[]>.Success(content.ToArray());
            }

            watchdog.Poke();
            if (content.Length + n > maxBytes)
            {
                return new AttemptFailure(FailureKind.InvalidResponse, VodRawErrorCodes.OriginFailed, $"{url.Display} is longer than {maxBytes} bytes, the most accepted");
            }

            content.Write(chunk, 0, n);
        }
    }

    /// <summary>412 (a validator no longer holds) and 416 (the range is past the end now) mean the object changed.</summary>
    private static AttemptFailure? ChangedStatus(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.PreconditionFailed => Changed("the origin answered 412 Precondition Failed to the validators it gave before"),
        HttpStatusCode.RequestedRangeNotSatisfiable => Changed("the origin no longer has that range (416): the object is shorter now"),
        _ => null,
    };

    /// <summary>A reply whose ETag or Last-Modified is not the probe's: another object.</summary>
    private static AttemptFailure? Validators(HttpResponseMessage response, OriginObject origin)
    {
        if (origin.ETag is { } etag && response.Headers.ETag?.ToString() is { } now && now != etag)
        {
            return Changed($"its ETag went from {etag} to {now}");
        }

        if (origin.LastModified is { } modified && response.Content.Headers.LastModified is { } then && then != modified)
        {
            return Changed($"it was modified at {then:O}, after the upload started");
        }

        return null;
    }

    /// <summary>A body in a content coding (gzip, br…) is not the object's bytes, although identity was asked for.</summary>
    private static AttemptFailure? Encoded(HttpResponseMessage response) =>
        response.Content.Headers.ContentEncoding.FirstOrDefault(e => !e.Equals("identity", StringComparison.OrdinalIgnoreCase)) is { } coding
            ? Invalid($"the origin sent the object {coding}-encoded although only the identity encoding was accepted; its bytes would not be the media's")
            : null;

    private static AttemptFailure Changed(string detail) => new(FailureKind.ErrorResponse, RetryPolicy.OriginChanged, detail);

    private static AttemptFailure Invalid(string detail) => new(FailureKind.InvalidResponse, VodRawErrorCodes.OriginFailed, detail);

    private AttemptFailure ErrorOf(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        return new AttemptFailure(FailureKind.ErrorResponse, VodRawErrorCodes.OriginFailed,
            $"the origin answered HTTP {status.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}".TrimEnd())
        {
            Status = status,
            RetryAfter = sender.RetryAfterOf(response),
        };
    }

    private static VodRawException CreateException(ServiceOperation operation, SourceUrl shown, SourceUrl at, string? range, AttemptFailure failure, CallOutcome outcome)
    {
        if (failure.Code == RetryPolicy.OriginChanged)
        {
            return new FileChangedException(shown.Display, failure.Detail);
        }

        var what = range is null ? "reading" : "reading " + range + " of";
        return new OriginException(shown.Display, $"{What(what)} {shown.Display} failed: {failure.Detail} ({outcome.Reason}). Nothing was committed.", failure.Inner)
        {
            Operation = operation.Name(),
            Host = HostOf(at.Uri),
            Range = range,
            Status = failure.Status,
            Attempts = outcome.Attempts,
            IsTransient = outcome.IsTransient,
        };

        static string What(string s) => char.ToUpperInvariant(s[0]) + s[1..];
    }

    /// <summary>host:port as errors name where a request went.</summary>
    public static string HostOf(Uri uri) => uri.IdnHost + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);

    private readonly record struct ContentRange(long First, long Last, long? Total);

    /// <summary>Parses <c>bytes a-b/total</c>, <c>bytes a-b/*</c> or <c>bytes */total</c>.</summary>
    private static ContentRange? ContentRangeOf(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentRange is not { Unit: "bytes" } range)
        {
            return null;
        }

        return new ContentRange(range.From ?? -1, range.To ?? -1, range.Length);
    }
}
