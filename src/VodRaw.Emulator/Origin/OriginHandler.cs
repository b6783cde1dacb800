using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace VodRaw.Emulator.Origin;

/// <summary>
/// Answers one request, in this order: log it; arrival faults (Status, DelayHeaders); authorization (401); method
/// (405); path (404 when no object can have it); redirect; object (404); ChangeAfter counting; If-Match /
/// If-Unmodified-Since (412); Range and If-Range (206, 416, or 200 whole); headers; for a GET, body faults (Stall,
/// DropMidBody, ShortBody, WrongTotal) and the body.
/// </summary>
internal sealed class OriginHandler(EmulatorOriginOptions options, OriginStore store, OriginFaultPlan faults, Action<OriginRequest> record, CancellationToken stopping)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var (rawPath, query) = SplitTarget(context.Features.Get<IHttpRequestFeature>()!.RawTarget);
        var key = OriginPath.FromRequest(rawPath);
        var log = new OriginRequest(request.Method, key ?? (rawPath.StartsWith('/') ? rawPath[1..] : rawPath), query, request.Headers);
        record(log);
        try
        {
            await AnswerAsync(context, log, key).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            context.Abort(); // the client went away, or the origin is stopping
        }
    }

    private async Task AnswerAsync(HttpContext context, OriginRequest log, string? key)
    {
        var request = context.Request;
        var response = context.Response;
        var method = request.Method;
        var arrival = key is null ? null : faults.Fire(key, method, kind => kind is OriginFaultKind.Status or OriginFaultKind.DelayHeaders);
        if (arrival is { Kind: OriginFaultKind.Status })
        {
            log.ShapedBy(arrival.Kind);
            if (arrival.RetryAfter is { } retryAfter)
            {
                response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            Empty(log, response, arrival.StatusCode);
            return;
        }

        if (arrival is { Kind: OriginFaultKind.DelayHeaders })
        {
            log.ShapedBy(arrival.Kind);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            await Task.Delay(arrival.Delay, wait.Token).ConfigureAwait(false);
        }

        if (options.RequiredAuthorization is { } required
            && (request.Headers.Authorization.Count != 1 || !string.Equals(request.Headers.Authorization[0], required, StringComparison.Ordinal)))
        {
            var space = required.IndexOf(' ', StringComparison.Ordinal);
            response.Headers.WWWAuthenticate = (space < 0 ? required : required[..space]) + " realm=\"vodraw-origin\"";
            Empty(log, response, StatusCodes.Status401Unauthorized);
            return;
        }

        var isHead = HttpMethods.IsHead(method);
        if (!HttpMethods.IsGet(method) && !(isHead && options.AllowHead))
        {
            response.Headers.Allow = options.AllowHead ? "GET, HEAD" : "GET";
            Empty(log, response, StatusCodes.Status405MethodNotAllowed);
            return;
        }

        if (key is null)
        {
            Empty(log, response, StatusCodes.Status404NotFound);
            return;
        }

        if (store.FindRedirect(key) is { } redirect)
        {
            response.Headers.Location = redirect.Location;
            Empty(log, response, redirect.Status);
            return;
        }

        if (store.Find(key) is not { } current)
        {
            Empty(log, response, StatusCodes.Status404NotFound);
            return;
        }

        foreach (var change in faults.CountTowardsChanges(key, method))
        {
            log.ShapedBy(change.Kind);
            store.Put(key, change.NewContent!, change.NewContentType);
        }

        if (!OriginPreconditions.Pass(request.Headers, current, options))
        {
            Empty(log, response, StatusCodes.Status412PreconditionFailed);
            return;
        }

        var range = options.SupportRanges && !isHead && OriginPreconditions.RangeStillApplies(request.Headers, current, options)
            ? ByteRange.Parse(request.Headers.Range.Count == 1 ? request.Headers.Range[0] : null, current.Length) // two Range fields: ignored
            : ByteRange.Whole(current.Length);
        if (options.SupportRanges)
        {
            response.Headers.AcceptRanges = "bytes";
        }

        if (range.Kind == ByteRange.Outcome.Unsatisfiable)
        {
            response.Headers.ContentRange = "bytes */" + current.Length.ToString(CultureInfo.InvariantCulture);
            Empty(log, response, StatusCodes.Status416RangeNotSatisfiable);
            return;
        }

        var partial = range.Kind == ByteRange.Outcome.Partial;
        var bodyFault = isHead ? null : faults.Fire(key, method, kind => kind switch
        {
            OriginFaultKind.Stall or OriginFaultKind.DropMidBody or OriginFaultKind.ShortBody => true,
            OriginFaultKind.WrongTotal => partial,
            _ => false,
        });
        if (bodyFault is not null)
        {
            log.ShapedBy(bodyFault.Kind);
        }

        response.ContentType = current.ContentType;
        if (options.SendETag)
        {
            response.Headers.ETag = current.ETag;
        }

        if (options.SendLastModified)
        {
            response.Headers.LastModified = HeaderUtilities.FormatDate(current.LastModified);
        }

        if (partial)
        {
            var total = bodyFault is { Kind: OriginFaultKind.WrongTotal } ? bodyFault.Bytes : current.Length;
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {range.Start}-{range.End}/{total}");
        }

        if (options.SendContentLength)
        {
            response.ContentLength = range.Length;
        }

        response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        log.Answered(response.StatusCode);
        if (isHead)
        {
            return;
        }

        switch (bodyFault?.Kind)
        {
            case OriginFaultKind.Stall:
                await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
                await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping))
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, wait.Token).ConfigureAwait(false); // ends by cancellation only
                }

                return;
            case OriginFaultKind.DropMidBody:
                await DropAfterAsync(context, log, current, range.Start, Math.Min(bodyFault.Bytes, range.Length)).ConfigureAwait(false);
                return;
            case OriginFaultKind.ShortBody:
                await DropAfterAsync(context, log, current, range.Start, Math.Max(0, range.Length - bodyFault.Bytes)).ConfigureAwait(false);
                return;
            default:
                await SendAsync(context, log, current, range.Start, range.Length).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> body bytes, then ends the response unfinished: Kestrel, seeing the application
    /// fail after the response started, closes the connection once what was written has been sent — no missing
    /// Content-Length bytes, no last chunk. (<see cref="HttpContext.Abort"/> would reset the connection at once and can
    /// lose the headers and bytes still queued, so that the client would not see what the fault promises.)
    /// </summary>
    private static async Task DropAfterAsync(HttpContext context, OriginRequest log, OriginObject current, long start, long count)
    {
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await SendAsync(context, log, current, start, count).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        throw new BodyCutShort();
    }

    /// <summary>Thrown to Kestrel on purpose by <see cref="DropAfterAsync"/>; nothing logs it (the origin has no logger).</summary>
    private sealed class BodyCutShort() : Exception("The origin cut this response's body short on purpose (an injected fault).");

    private static async Task SendAsync(HttpContext context, OriginRequest log, OriginObject current, long start, long count)
    {
        if (count == 0)
        {
            return;
        }

        log.Sending(count);
        if (current.Content is { } content)
        {
            await context.Response.Body.WriteAsync(content.AsMemory((int)start, (int)count), context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            await context.Response.SendFileAsync(current.FilePath!, start, count, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static void Empty(OriginRequest log, HttpResponse response, int status)
    {
        response.StatusCode = status;
        log.Answered(status);
    }

    /// <summary>The raw path and query (with its <c>?</c>) of a request target in origin or absolute form.</summary>
    private static (string Path, string Query) SplitTarget(string rawTarget)
    {
        var scheme = rawTarget.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7
            : rawTarget.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8 : 0;
        if (scheme > 0)
        {
            // Absolute form (RFC 9112 §3.2.2): the path starts after the authority.
            var end = rawTarget.IndexOfAny(['/', '?'], scheme);
            rawTarget = end < 0 ? "/" : rawTarget[end] == '?' ? "/" + rawTarget[end..] : rawTarget[end..];
        }

        var q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? (rawTarget, string.Empty) : (rawTarget[..q], rawTarget[q..]);
    }
}
