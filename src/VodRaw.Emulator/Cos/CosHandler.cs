using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace VodRaw.Emulator.Cos;

/// <summary>
/// The COS XML API side. Addressing: virtual-host style (<c>Host: {bucket}.cos.{region}...</c>) or path style
/// (<c>/{bucket}/{key}</c>). Either way the signed path is <c>/{key}</c>, decoded.
/// </summary>
internal sealed class CosHandler(VodEmulator emulator)
{
    public const long MaxPartSize = 5L * 1024 * 1024 * 1024;
    public const long MinPartSize = 1024 * 1024;
    public const int MaxParts = 10_000;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var host = request.Headers.Host.ToString();
        if (AbsoluteForm(rawTarget) is { } absolute)
        {
            // A client using the emulator as its HTTP proxy sends the absolute form (RFC 9112 3.2.2); its authority is the host.
            (host, rawTarget) = absolute;
        }

        var q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = q < 0 ? rawTarget : rawTarget[..q];
        var rawQuery = q < 0 ? string.Empty : rawTarget[(q + 1)..];

        var cosLabel = host.IndexOf(".cos.", StringComparison.Ordinal);
        string bucket;
        string encodedKey;
        if (cosLabel > 0)
        {
            bucket = host[..cosLabel];
            encodedKey = rawPath.TrimStart('/');
        }
        else
        {
            var trimmed = rawPath.TrimStart('/');
            var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
            bucket = slash < 0 ? trimmed : trimmed[..slash];
            encodedKey = slash < 0 ? string.Empty : trimmed[(slash + 1)..];
        }

        var key = CosSignatureVerifier.Decode(encodedKey);
        var query = ParseQuery(rawQuery);
        var method = request.Method;
        var operation = Classify(method, query);
        int? partNumber = null;
        if (operation == EmulatorOperation.UploadPart && int.TryParse(query.GetValueOrDefault("partnumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var pn))
        {
            partNumber = pn;
        }

        var call = new Call(context, operation, bucket, key, partNumber);
        context.Response.Headers["x-cos-request-id"] = call.RequestId;

        await emulator.EmulateLatencyAsync(context.RequestAborted).ConfigureAwait(false);
        var fault = emulator.Faults.Match(operation, partNumber, key);
        call.Fault = fault;
        if (fault is not null && !await ApplyFaultAsync(call, fault).ConfigureAwait(false))
        {
            return;
        }

        var authError = Authorize(call, query, "/" + key);
        if (authError is { } ae)
        {
            await DrainAsync(call).ConfigureAwait(false);
            await ErrorAsync(call, ae.Status, ae.Code, ae.Message).ConfigureAwait(false);
            return;
        }

        switch (operation)
        {
            case EmulatorOperation.PutObject:
                await PutObjectAsync(call).ConfigureAwait(false);
                break;
            case EmulatorOperation.InitiateMultipartUpload:
                var upload = emulator.Store.Initiate(bucket, key, emulator.Time.GetUtcNow());
                await XmlAsync(call, 200, CosXml.Initiate(bucket, key, upload.UploadId)).ConfigureAwait(false);
                break;
            case EmulatorOperation.UploadPart:
                await UploadPartAsync(call, query).ConfigureAwait(false);
                break;
            case EmulatorOperation.CompleteMultipartUpload:
                await CompleteAsync(call, query).ConfigureAwait(false);
                break;
            case EmulatorOperation.ListParts:
                await ListPartsAsync(call, query).ConfigureAwait(false);
                break;
            case EmulatorOperation.AbortMultipartUpload:
                var toAbort = FindUpload(call, query);
                if (toAbort is null)
                {
                    await ErrorAsync(call, 404, "NoSuchUpload", "The specified upload does not exist.").ConfigureAwait(false);
                    return;
                }

                emulator.Store.Abort(toAbort);
                context.Response.StatusCode = 204;
                emulator.Log(operation, method, bucket + "/" + key, null, 204, null, fault?.Kind, 0);
                break;
            case EmulatorOperation.ListMultipartUploads:
                await ListMultipartUploadsAsync(call, query).ConfigureAwait(false);
                break;
            case EmulatorOperation.HeadObject:
            case EmulatorOperation.GetObject:
                await GetObjectAsync(call).ConfigureAwait(false);
                break;
            default:
                await DrainAsync(call).ConfigureAwait(false);
                await ErrorAsync(call, 400, "InvalidRequest", "The emulator does not serve this operation.").ConfigureAwait(false);
                break;
        }
    }

    /// <summary>For an absolute-form target (<c>http://host/path?query</c>): the authority and the origin-form rest.</summary>
    private static (string Host, string Target)? AbsoluteForm(string rawTarget)
    {
        var scheme = rawTarget.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7 : rawTarget.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8 : 0;
        if (scheme == 0)
        {
            return null;
        }

        var end = rawTarget.IndexOfAny(['/', '?'], scheme);
        var authority = end < 0 ? rawTarget[scheme..] : rawTarget[scheme..end];
        var rest = end < 0 ? "/" : rawTarget[end] == '?' ? "/" + rawTarget[end..] : rawTarget[end..];
        return (authority, rest);
    }

    private static EmulatorOperation Classify(string method, Dictionary<string, string> query)
    {
        if (HttpMethods.IsPut(method))
        {
            return query.ContainsKey("partnumber") || query.ContainsKey("uploadid") ? EmulatorOperation.UploadPart : EmulatorOperation.PutObject;
        }

        if (HttpMethods.IsPost(method))
        {
            return query.ContainsKey("uploads") ? EmulatorOperation.InitiateMultipartUpload
                : query.ContainsKey("uploadid") ? EmulatorOperation.CompleteMultipartUpload : EmulatorOperation.Unknown;
        }

        if (HttpMethods.IsDelete(method))
        {
            return query.ContainsKey("uploadid") ? EmulatorOperation.AbortMultipartUpload : EmulatorOperation.Unknown;
        }

        if (HttpMethods.IsGet(method))
        {
            if (query.ContainsKey("uploads"))
            {
                return EmulatorOperation.ListMultipartUploads;
            }

            return query.ContainsKey("uploadid") ? EmulatorOperation.ListParts : EmulatorOperation.GetObject;
        }

        return HttpMethods.IsHead(method) ? EmulatorOperation.HeadObject : EmulatorOperation.Unknown;
    }

    /// <summary>Applies a fault; returns whether handling continues normally.</summary>
    private async Task<bool> ApplyFaultAsync(Call call, FaultRule fault)
    {
        var context = call.Context;
        switch (fault.Kind)
        {
            case FaultKind.Delay:
                try
                {
                    await Task.Delay(fault.Duration ?? TimeSpan.Zero, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Log(call, 0, null);
                    return false;
                }

                return true;
            case FaultKind.Fail:
                await DrainAsync(call).ConfigureAwait(false);
                if (fault.RetryAfter is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await ErrorAsync(call, fault.Status, fault.Code, "Injected fault.").ConfigureAwait(false);
                return false;
            case FaultKind.ResetConnection:
                try
                {
                    var body = await emulator.Store.ReadBodyAsync(context.Request.BodyReader, fault.AfterBytes, context.RequestAborted).ConfigureAwait(false);
                    call.BodyBytes = body.Length;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
                {
                }

                Log(call, 0, null);
                context.Abort();
                return false;
            case FaultKind.Stall:
                try
                {
                    using var stall = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, emulator.Stopping);
                    await Task.Delay(fault.Duration ?? Timeout.InfiniteTimeSpan, stall.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Log(call, 0, null);
                    return false;
                }

                context.Response.Headers.Connection = "close";
                await ErrorAsync(call, 400, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period.").ConfigureAwait(false);
                return false;
            case FaultKind.LoseReply:
                VodEmulator.LoseReply(context);
                return true;
            case FaultKind.DelayReply:
                VodEmulator.DelayReply(context, fault.Duration ?? TimeSpan.Zero);
                return true;
            case FaultKind.OkWithErrorBody:
                await DrainAsync(call).ConfigureAwait(false);
                var errorBody = Encoding.UTF8.GetBytes(CosXml.Error(fault.Code, "We encountered an internal error. Please try again.", "/" + call.Key, call.RequestId, call.TraceId));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/xml";
                context.Response.ContentLength = errorBody.Length;
                await context.Response.Body.WriteAsync(errorBody, context.RequestAborted).ConfigureAwait(false);
                Log(call, 200, fault.Code);
                return false;
            default:
                return true; // WrongCrc64 and CompleteErrorBody shape the normal answer
        }
    }

    private (int Status, string Code, string Message)? Authorize(Call call, Dictionary<string, string> query, string decodedPath)
    {
        var request = call.Context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0 && call.Operation is EmulatorOperation.GetObject or EmulatorOperation.HeadObject)
        {
            return null; // committed media is publicly readable, as through a CDN
        }

        var parseError = CosSignatureVerifier.Parse(authorization, out var fields);
        if (parseError is not null)
        {
            return parseError;
        }

        var now = emulator.Time.GetUtcNow().ToUnixTimeSeconds();
        if (now < fields!.Start || now > fields.End)
        {
            return (403, "AccessDenied", "Request has expired: the signature's key time does not cover the server time.");
        }

        var (credential, session) = emulator.FindCosCredential(fields.AccessKey);
        if (credential is null)
        {
            return (403, "InvalidAccessKeyId", "The access key ID is not known.");
        }

        if (credential.Token is not null)
        {
            var token = request.Headers["x-cos-security-token"].ToString();
            if (!FixedEquals(token, credential.Token))
            {
                return (403, "InvalidAccessKeyId", "The x-cos-security-token does not match the temporary credential.");
            }
        }

        if (session is not null)
        {
            if (emulator.Time.GetUtcNow() >= session.TempCredentialExpires)
            {
                return (403, "ExpiredToken", "The temporary credential has expired.");
            }

            // A listing is scoped by its prefix, an object request by its key.
            var scoped = call.Operation == EmulatorOperation.ListMultipartUploads ? query.GetValueOrDefault("prefix") ?? string.Empty : call.Key;
            if (call.Bucket != session.Bucket || !scoped.StartsWith(session.KeyPrefix, StringComparison.Ordinal))
            {
                return (403, "AccessDenied", "The temporary credential may only write inside its upload session's directory.");
            }
        }

        return CosSignatureVerifier.Verify(fields, credential.SecretKey, request.Method, decodedPath, query,
            name => request.Headers.TryGetValue(name, out var v) ? v.ToString() : null);
    }

    private async Task PutObjectAsync(Call call)
    {
        // COS takes a PUT Object body with Content-Length, or chunked (Transfer-Encoding: chunked, no Content-Length).
        var request = call.Context.Request;
        var chunked = request.Headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase);
        if (request.ContentLength is not { } length && !chunked)
        {
            await DrainAsync(call).ConfigureAwait(false);
            await ErrorAsync(call, 411, "MissingContentLength", "Content-Length or Transfer-Encoding: chunked is required.").ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > MaxPartSize)
        {
            await ErrorAsync(call, 400, "EntityTooLarge", "A single PUT may carry at most 5 GiB.").ConfigureAwait(false);
            return;
        }

        var body = await ReadBodyAsync(call).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (body.Length > MaxPartSize)
        {
            if (body.FilePath is not null)
            {
                File.Delete(body.FilePath);
            }

            await ErrorAsync(call, 400, "EntityTooLarge", "A single PUT may carry at most 5 GiB.").ConfigureAwait(false);
            return;
        }

        if (!await CheckMd5Async(call, body).ConfigureAwait(false))
        {
            return;
        }

        var obj = emulator.Store.PutObject(call.Bucket, call.Key, body, request.ContentType);
        var response = call.Context.Response;
        response.Headers.ETag = obj.ETag;
        response.Headers["x-cos-hash-crc64ecma"] = Crc(call, obj.Crc64);
        response.StatusCode = 200;
        Log(call, 200, null);
    }

    private async Task UploadPartAsync(Call call, Dictionary<string, string> query)
    {
        var upload = FindUpload(call, query);
        if (upload is null)
        {
            await DrainAsync(call).ConfigureAwait(false);
            await ErrorAsync(call, 404, "NoSuchUpload", "The specified upload does not exist.").ConfigureAwait(false);
            return;
        }

        if (call.PartNumber is not (>= 1 and <= MaxParts))
        {
            await DrainAsync(call).ConfigureAwait(false);
            await ErrorAsync(call, 400, "InvalidArgument", "partNumber must be between 1 and 10000.").ConfigureAwait(false);
            return;
        }

        if (call.Context.Request.ContentLength is not { } length || length > MaxPartSize)
        {
            await DrainAsync(call).ConfigureAwait(false);
            await ErrorAsync(call, 400, "InvalidArgument", "A part needs a Content-Length of at most 5 GiB.").ConfigureAwait(false);
            return;
        }

        var body = await ReadBodyAsync(call).ConfigureAwait(false);
        if (body is null || !await CheckMd5Async(call, body).ConfigureAwait(false))
        {
            return;
        }


        var part = emulator.Store.PutPart(upload, call.PartNumber.Value, body, emulator.Time.GetUtcNow());
        var response = call.Context.Response;
        response.Headers.ETag = part.ETag;
        response.Headers["x-cos-hash-crc64ecma"] = Crc(call, part.Crc64);
        response.StatusCode = 200;
        Log(call, 200, null);
    }

    private async Task CompleteAsync(Call call, Dictionary<string, string> query)
    {
        var upload = FindUpload(call, query);
        var bodyBytes = await ReadSmallBodyAsync(call).ConfigureAwait(false);
        if (upload is null)
        {
            await ErrorAsync(call, 404, "NoSuchUpload", "The specified upload does not exist.").ConfigureAwait(false);
            return;
        }

        var requested = bodyBytes is null ? null : CosXml.ReadCompleteRequest(bodyBytes);
        if (requested is null || requested.Count == 0)
        {
            await ErrorAsync(call, 400, "MalformedXML", "The XML you provided was not well-formed.").ConfigureAwait(false);
            return;
        }

        var parts = new List<StoredPart>(requested.Count);
        for (var i = 0; i < requested.Count; i++)
        {
            var (number, etag) = requested[i];
            if (i > 0 && number <= requested[i - 1].PartNumber)
            {
                await ErrorAsync(call, 400, "InvalidPartOrder", "The list of parts was not in ascending order.").ConfigureAwait(false);
                return;
            }

            if (!upload.Parts.TryGetValue(number, out var part) || Unquote(part.ETag) != Unquote(etag))
            {
                await ErrorAsync(call, 400, "InvalidPart", $"Part {number} was not uploaded or its ETag does not match.").ConfigureAwait(false);
                return;
            }

            parts.Add(part);
        }

        for (var i = 0; i < parts.Count - 1; i++)
        {
            if (parts[i].Size < MinPartSize)
            {
                await ErrorAsync(call, 400, "EntityTooSmall", $"Part {parts[i].PartNumber} is smaller than 1 MiB and is not the last part.").ConfigureAwait(false);
                return;
            }
        }

        // Like COS (and S3): answer 200 at once, then the XML declaration, whitespace to keep the connection alive
        // while merging, then the result element. The declaration comes first because an XML declaration after
        // whitespace is malformed: Python's parser (cos-python-sdk-v5) refuses it.
        ulong crc = 0;
        foreach (var part in parts)
        {
            crc = EmulatorCrc64.Combine(crc, part.Crc64, part.Size);
        }

        var response = call.Context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/xml";
        if (call.Fault?.Kind != FaultKind.CompleteErrorBody)
        {
            response.Headers["x-cos-hash-crc64ecma"] = Crc(call, crc);
        }

        await response.StartAsync(call.Context.RequestAborted).ConfigureAwait(false);
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(CosXml.Declaration + "\n  "), call.Context.RequestAborted).ConfigureAwait(false);
        await response.Body.FlushAsync(call.Context.RequestAborted).ConfigureAwait(false);

        if (call.Fault?.Kind == FaultKind.CompleteErrorBody)
        {
            var error = CosXml.Error(call.Fault.Code, "We encountered an internal error. Please try again.", "/" + call.Key, call.RequestId, call.TraceId);
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(CosXml.WithoutDeclaration(error)), call.Context.RequestAborted).ConfigureAwait(false);
            Log(call, 200, call.Fault.Code);
            return;
        }

        var obj = await emulator.Store.CompleteAsync(upload, parts, CancellationToken.None).ConfigureAwait(false);
        var location = $"{emulator.CosEndpoint.ToString().TrimEnd('/')}/{call.Bucket}/{call.Key}";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(CosXml.WithoutDeclaration(CosXml.Complete(location, call.Bucket, call.Key, obj.ETag))), call.Context.RequestAborted).ConfigureAwait(false);
        Log(call, 200, null);
    }

    private async Task ListPartsAsync(Call call, Dictionary<string, string> query)
    {
        var upload = FindUpload(call, query);
        if (upload is null)
        {
            await ErrorAsync(call, 404, "NoSuchUpload", "The specified upload does not exist.").ConfigureAwait(false);
            return;
        }

        var marker = int.TryParse(query.GetValueOrDefault("part-number-marker"), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 0;
        var maxParts = int.TryParse(query.GetValueOrDefault("max-parts"), NumberStyles.None, CultureInfo.InvariantCulture, out var mp) ? Math.Clamp(mp, 1, 1000) : 1000;
        var all = upload.Parts.Values.Where(p => p.PartNumber > marker).OrderBy(p => p.PartNumber).ToList();
        var page = all.Take(maxParts).ToList();
        await XmlAsync(call, 200, CosXml.ListParts(upload, page, marker, maxParts, all.Count > page.Count)).ConfigureAwait(false);
    }

    private async Task ListMultipartUploadsAsync(Call call, Dictionary<string, string> query)
    {
        var prefix = query.GetValueOrDefault("prefix") ?? string.Empty;
        var delimiter = query.GetValueOrDefault("delimiter") ?? string.Empty;
        var keyMarker = query.GetValueOrDefault("key-marker") ?? string.Empty;
        var idMarker = query.GetValueOrDefault("upload-id-marker") ?? string.Empty;
        var encoding = query.GetValueOrDefault("encoding-type") ?? string.Empty;
        if (encoding.Length > 0 && encoding != "url")
        {
            await ErrorAsync(call, 400, "InvalidArgument", "encoding-type may only be url.").ConfigureAwait(false);
            return;
        }

        var maxUploads = int.TryParse(query.GetValueOrDefault("max-uploads"), NumberStyles.None, CultureInfo.InvariantCulture, out var mu) ? Math.Clamp(mu, 1, 1000) : 1000;
        var after = emulator.Store.Uploads
            .Where(u => u.Bucket == call.Bucket && u.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(u => u.Key, StringComparer.Ordinal).ThenBy(u => u.UploadId, StringComparer.Ordinal)
            .Where(u => keyMarker.Length == 0 || string.CompareOrdinal(u.Key, keyMarker) > 0
                || (u.Key == keyMarker && idMarker.Length > 0 && string.CompareOrdinal(u.UploadId, idMarker) > 0));

        var page = new ListUploadsPage(prefix, delimiter, keyMarker, idMarker, maxUploads, encoding == "url");
        foreach (var upload in after)
        {
            if (!page.TryAdd(upload))
            {
                break;
            }
        }

        await XmlAsync(call, 200, CosXml.ListMultipartUploads(call.Bucket, page)).ConfigureAwait(false);
    }

    private async Task GetObjectAsync(Call call)
    {
        var obj = emulator.Store.Get(call.Bucket, call.Key);
        var response = call.Context.Response;
        if (obj is null)
        {
            if (call.Operation == EmulatorOperation.HeadObject)
            {
                response.StatusCode = 404;
                Log(call, 404, "NoSuchKey");
                return;
            }

            await ErrorAsync(call, 404, "NoSuchKey", "The specified key does not exist.").ConfigureAwait(false);
            return;
        }

        response.StatusCode = 200;
        response.ContentLength = obj.Length;
        response.Headers.ETag = obj.ETag;
        response.Headers["x-cos-hash-crc64ecma"] = Crc(call, obj.Crc64);
        if (obj.ContentType is not null)
        {
            response.ContentType = obj.ContentType;
        }

        if (call.Operation == EmulatorOperation.GetObject && obj.HasContent)
        {
            var stream = obj.OpenRead();
            await using (stream.ConfigureAwait(false))
            {
                await stream.CopyToAsync(response.Body, call.Context.RequestAborted).ConfigureAwait(false);
            }
        }

        Log(call, 200, null);
    }

    private MultipartUpload? FindUpload(Call call, Dictionary<string, string> query)
    {
        var upload = query.TryGetValue("uploadid", out var id) ? emulator.Store.GetUpload(id) : null;
        return upload is not null && upload.Bucket == call.Bucket && upload.Key == call.Key ? upload : null;
    }

    private const string TrafficLimitMessage = "x-cos-traffic-limit must be a whole number of bits per second from 819200 to 838860800.";

    /// <summary>
    /// <c>x-cos-traffic-limit</c> (PUT Object, UploadPart): bits per second, 819200 (100 KB/s) to 838860800 (100 MB/s),
    /// as COS documents; anything else is refused with InvalidArgument.
    /// </summary>
    private static bool TryReadTrafficLimit(Call call, out long? bitsPerSecond)
    {
        bitsPerSecond = null;
        if (!call.Context.Request.Headers.TryGetValue("x-cos-traffic-limit", out var value))
        {
            return true;
        }

        if (!long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 819_200 or > 838_860_800)
        {
            return false;
        }

        bitsPerSecond = limit;
        return true;
    }

    /// <summary>
    /// Holds the reply until the body could have arrived at the client's traffic limit, on the emulator's clock (so a
    /// test with a manual clock sees the throttle without waiting): a client's rate-limit handling can be tested.
    /// </summary>
    private Task ThrottleAsync(Call call, long? bitsPerSecond, long startedTimestamp, long bytes)
    {
        if (bitsPerSecond is not { } limit)
        {
            return Task.CompletedTask;
        }

        var due = TimeSpan.FromSeconds(bytes * 8.0 / limit) - emulator.Time.GetElapsedTime(startedTimestamp);
        return due > TimeSpan.Zero ? Task.Delay(due, emulator.Time, call.Context.RequestAborted) : Task.CompletedTask;
    }

    /// <summary>
    /// The body of a PUT Object or UploadPart, hashed and stored; null when the answer has been given already (a bad
    /// <c>x-cos-traffic-limit</c>, refused before reading) or the client went away. A valid limit holds the return
    /// until the body could have arrived at that rate.
    /// </summary>
    private async Task<BodyResult?> ReadBodyAsync(Call call)
    {
        if (!TryReadTrafficLimit(call, out var limit))
        {
            await DrainAsync(call).ConfigureAwait(false);
            await ErrorAsync(call, 400, "InvalidArgument", TrafficLimitMessage).ConfigureAwait(false);
            return null;
        }

        try
        {
            var started = emulator.Time.GetTimestamp();
            var body = await emulator.Store.ReadBodyAsync(call.Context.Request.BodyReader, null, call.Context.RequestAborted).ConfigureAwait(false);
            call.BodyBytes = body.Length;
            try
            {
                await ThrottleAsync(call, limit, started, body.Length).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (body.FilePath is not null)
            {
                File.Delete(body.FilePath); // the client left while held: nothing is stored
                throw;
            }

            return body;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            Log(call, 0, "ClientDisconnected");
            return null;
        }
    }

    private static async Task<byte[]?> ReadSmallBodyAsync(Call call)
    {
        using var buffer = new MemoryStream();
        try
        {
            await call.Context.Request.Body.CopyToAsync(buffer, call.Context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            return null;
        }

        call.BodyBytes = buffer.Length;
        return buffer.ToArray();
    }

    private async Task<bool> CheckMd5Async(Call call, BodyResult body)
    {
        var sent = call.Context.Request.Headers["Content-MD5"].ToString();
        if (sent.Length == 0)
        {
            return true;
        }

        var actual = Convert.ToBase64String(Convert.FromHexString(body.Md5Hex));
        if (sent == actual)
        {
            return true;
        }

        if (body.FilePath is not null)
        {
            File.Delete(body.FilePath);
        }

        await ErrorAsync(call, 400, "BadDigest", "The Content-MD5 you specified did not match what we received.").ConfigureAwait(false);
        return false;
    }

    private static string Crc(Call call, ulong crc) =>
        (call.Fault?.Kind == FaultKind.WrongCrc64 ? crc ^ 0x1 : crc).ToString(CultureInfo.InvariantCulture);

    private static async Task DrainAsync(Call call)
    {
        try
        {
            await call.Context.Request.Body.CopyToAsync(Stream.Null, call.Context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
        }
    }

    private async Task ErrorAsync(Call call, int status, string code, string message)
    {
        var response = call.Context.Response;
        if (!response.HasStarted)
        {
            response.StatusCode = status;
            response.Headers["x-cos-trace-id"] = call.TraceId;
            if (!HttpMethods.IsHead(call.Context.Request.Method))
            {
                var xml = Encoding.UTF8.GetBytes(CosXml.Error(code, message, "/" + call.Key, call.RequestId, call.TraceId));
                response.ContentType = "application/xml";
                response.ContentLength = xml.Length;
                try
                {
                    await response.Body.WriteAsync(xml, call.Context.RequestAborted).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                }
            }
        }

        Log(call, status, code);
    }

    private async Task XmlAsync(Call call, int status, string xml)
    {
        var bytes = Encoding.UTF8.GetBytes(xml);
        var response = call.Context.Response;
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, call.Context.RequestAborted).ConfigureAwait(false);
        Log(call, status, null);
    }

    private void Log(Call call, int status, string? code) =>
        emulator.Log(call.Operation, call.Context.Request.Method, call.Bucket + "/" + call.Key, call.PartNumber, status, code, call.Fault?.Kind, call.BodyBytes);

    private static Dictionary<string, string> ParseQuery(string rawQuery)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = CosSignatureVerifier.Decode(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            result[name] = eq < 0 ? string.Empty : CosSignatureVerifier.Decode(pair[(eq + 1)..]);
        }

        return result;
    }

    private static string Unquote(string etag) => etag.Trim('"');

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private sealed class Call(HttpContext context, EmulatorOperation operation, string bucket, string key, int? partNumber)
    {
        public HttpContext Context { get; } = context;

        public EmulatorOperation Operation { get; } = operation;

        public string Bucket { get; } = bucket;

        public string Key { get; } = key;

        public int? PartNumber { get; } = partNumber;

        public string RequestId { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));

        public string TraceId { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

        public FaultRule? Fault { get; set; }

        public long BodyBytes { get; set; }
    }
}
