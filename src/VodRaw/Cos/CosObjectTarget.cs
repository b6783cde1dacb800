using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using VodRaw.Http;
using VodRaw.Signing;
using VodRaw.Transfer;

namespace VodRaw.Cos;

/// <summary>
/// One COS object as an upload target: builds, signs (last, per attempt) and interprets PUT Object and the multipart
/// calls. Every request goes through the shared <see cref="HttpSender"/>.
/// </summary>
internal sealed class CosObjectTarget : IMultipartTarget
{
    private const int MaxErrorBody = 64 * 1024;
    private const int MaxResultBody = 1 << 20;

    private readonly HttpSender _sender;
    private readonly CosEndpoint _endpoint;
    private readonly CosCredential _credential;
    private readonly CosTargetOptions _options;

    public CosObjectTarget(HttpSender sender, CosEndpoint endpoint, CosCredential credential, string key, CosTargetOptions options)
    {
        _sender = sender;
        _endpoint = endpoint;
        _credential = credential;
        Key = key;
        _options = options;
    }

    public string Key { get; }

    public Task<ulong?> PutObjectAsync(ReadOnlyMemory<byte> data, ulong crc64, PartProgress progress, CancellationToken cancellationToken)
    {
        var md5 = _options.SendContentMd5 ? Convert.ToBase64String(MD5.HashData(data.Span)) : null;
        return _sender.SendAsync(
            (_, watch) => Create(HttpMethod.Put, [], new PartContent(data, watch, progress), null, md5),
            async (response, watch, ct) =>
            {
                await EnsureSuccessAsync("PutObject", response, watch, null, ct).ConfigureAwait(false);
                var reported = Crc64Of(response);
                if (reported is { } r && r != crc64)
                {
                    throw Crc64Mismatch("PutObject", null, crc64, r, response);
                }

                return reported;
            },
            TransportError("PutObject", null),
            _options.Inactivity,
            cancellationToken);
    }

    public Task<string> InitiateAsync(CancellationToken cancellationToken) =>
        _sender.SendAsync(
            (_, _) => Create(HttpMethod.Post, [new("uploads", string.Empty)], new ByteArrayContent([]), null, null),
            async (response, watch, ct) =>
            {
                var body = await EnsureSuccessAsync("InitiateMultipartUpload", response, watch, null, ct, MaxResultBody).ConfigureAwait(false);
                var xml = CosXml.Read(body, "UploadId");
                if (xml is not { Root: "InitiateMultipartUploadResult" } parsed || !parsed.Values.TryGetValue("UploadId", out var id) || id.Length == 0)
                {
                    throw new CosException("InitiateMultipartUpload", "InvalidResponse", "COS did not return an UploadId.") { Key = Key, IsTransient = true, RequestId = RequestIdOf(response) };
                }

                return id;
            },
            TransportError("InitiateMultipartUpload", null),
            _options.Inactivity,
            cancellationToken);

    public Task<CompletedPart> UploadPartAsync(string uploadId, int partNumber, ReadOnlyMemory<byte> data, ulong crc64, PartProgress progress, CancellationToken cancellationToken)
    {
        var md5 = _options.SendContentMd5 ? Convert.ToBase64String(MD5.HashData(data.Span)) : null;
        var number = partNumber.ToString(CultureInfo.InvariantCulture);
        return _sender.SendAsync(
            (_, watch) => Create(HttpMethod.Put, [new("partNumber", number), new("uploadId", uploadId)], new PartContent(data, watch, progress), null, md5),
            async (response, watch, ct) =>
            {
                await EnsureSuccessAsync("UploadPart", response, watch, partNumber, ct).ConfigureAwait(false);
                var etag = response.Headers.ETag?.Tag;
                if (string.IsNullOrEmpty(etag))
                {
                    throw new CosException("UploadPart", "InvalidResponse", $"COS returned no ETag for part {number}.") { Key = Key, PartNumber = partNumber, IsTransient = true, RequestId = RequestIdOf(response) };
                }

                if (Crc64Of(response) is { } reported && reported != crc64)
                {
                    throw Crc64Mismatch("UploadPart", partNumber, crc64, reported, response);
                }

                return new CompletedPart(partNumber, etag, data.Length, crc64);
            },
            TransportError("UploadPart", partNumber),
            _options.Inactivity,
            cancellationToken);
    }

    public Task<ulong?> CompleteAsync(string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken)
    {
        var body = CosXml.CompleteRequest(parts);
        return _sender.SendAsync(
            (_, _) =>
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
                return Create(HttpMethod.Post, [new("uploadId", uploadId)], content, "application/xml", null);
            },
            async (response, watch, ct) =>
            {
                // COS answers 200 at once and may pause while merging; give the merge its own, longer allowance.
                watch.Limit = _options.CompleteInactivity;
                var result = await EnsureSuccessAsync("CompleteMultipartUpload", response, watch, null, ct, MaxResultBody).ConfigureAwait(false);
                var xml = CosXml.Read(result, "ETag", "Code", "Message", "RequestId", "TraceId");
                if (xml is { Root: "CompleteMultipartUploadResult" } ok && ok.Values.TryGetValue("ETag", out var etag) && etag.Length > 0)
                {
                    return Crc64Of(response);
                }

                // A 200 whose body is an error (or no result): COS failed while merging; Complete can be sent again.
                var values = xml?.Values;
                throw new CosException("CompleteMultipartUpload", values?.GetValueOrDefault("Code") ?? "InvalidResponse",
                    "Complete Multipart Upload answered 200 without a result: " + (values?.GetValueOrDefault("Message") ?? "no ETag in the body."))
                {
                    Key = Key,
                    Status = 200,
                    IsTransient = true,
                    RequestId = values?.GetValueOrDefault("RequestId") ?? RequestIdOf(response),
                    TraceId = values?.GetValueOrDefault("TraceId"),
                };
            },
            TransportError("CompleteMultipartUpload", null),
            _options.Inactivity,
            cancellationToken);
    }

    public Task AbortAsync(string uploadId, CancellationToken cancellationToken) =>
        _sender.SendAsync(
            (_, _) => Create(HttpMethod.Delete, [new("uploadId", uploadId)], new ByteArrayContent([]), null, null),
            async (response, watch, ct) =>
            {
                if ((int)response.StatusCode == 404)
                {
                    return true; // already gone
                }

                await EnsureSuccessAsync("AbortMultipartUpload", response, watch, null, ct).ConfigureAwait(false);
                return true;
            },
            TransportError("AbortMultipartUpload", null),
            _options.Inactivity,
            cancellationToken);

    private HttpRequestMessage Create(HttpMethod method, KeyValuePair<string, string>[] query, HttpContent content, string? contentType, string? contentMd5)
    {
        var keyTime = _credential.KeyTimeFor(_options.Time.GetUtcNow(), _options.ExpiryMargin);
        var length = content.Headers.ContentLength ?? 0;
        Span<KeyValuePair<string, string>> headers = new KeyValuePair<string, string>[5];
        var count = 0;
        headers[count++] = new("host", _endpoint.Host);
        headers[count++] = new("content-length", length.ToString(CultureInfo.InvariantCulture));
        if (contentType is not null)
        {
            headers[count++] = new("content-type", contentType);
        }

        if (contentMd5 is not null)
        {
            headers[count++] = new("content-md5", contentMd5);
            content.Headers.TryAddWithoutValidation("Content-MD5", contentMd5);
        }

        if (_credential.Token is not null)
        {
            headers[count++] = new("x-cos-security-token", _credential.Token);
        }

        var authorization = _credential.Signer.Sign(new CosSigningInput
        {
            Method = method.Method,
            Path = "/" + Key,
            Parameters = query,
            Headers = headers[..count],
            KeyTime = keyTime,
        });

        var request = new HttpRequestMessage(method, _endpoint.ObjectUri(Key, QueryString(query))) { Content = content };
        request.Headers.Host = _endpoint.Host;
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (_credential.Token is not null)
        {
            request.Headers.TryAddWithoutValidation("x-cos-security-token", _credential.Token);
        }

        return request;
    }

    private static string QueryString(KeyValuePair<string, string>[] query)
    {
        if (query.Length == 0)
        {
            return string.Empty;
        }

        var parts = new string[query.Length];
        for (var i = 0; i < query.Length; i++)
        {
            parts[i] = query[i].Value.Length == 0
                ? CosEncoding.EncodeComponent(query[i].Key)
                : CosEncoding.EncodeComponent(query[i].Key) + "=" + CosEncoding.EncodeComponent(query[i].Value);
        }

        return string.Join('&', parts);
    }

    /// <summary>Throws a <see cref="CosException"/> for a non-2xx answer; returns the body of a success when asked to read it.</summary>
    private async Task<byte[]> EnsureSuccessAsync(string operation, HttpResponseMessage response, ActivityWatch watch, int? partNumber, CancellationToken ct, int readLimit = 0)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            return readLimit == 0 ? [] : await ReadAsync(operation, response, watch, readLimit, ct).ConfigureAwait(false);
        }

        byte[] body;
        try
        {
            body = await HttpSender.ReadBodyAsync(response, watch, MaxErrorBody, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            body = [];
        }

        var xml = CosXml.Read(body, "Code", "Message", "RequestId", "TraceId");
        var values = xml is { Root: "Error" } e ? e.Values : [];
        var code = values.GetValueOrDefault("Code")
            ?? (response.Headers.TryGetValues("x-cos-error-code", out var codes) ? codes.FirstOrDefault() : null)
            ?? "HttpStatus" + status.ToString(CultureInfo.InvariantCulture);
        var transient = HttpSender.IsTransientStatus(status) || code is "SlowDown" or "RequestTimeout" or "InternalError" or "ServiceUnavailable";
        throw new CosException(operation, code, $"{operation} of {Key}{(partNumber is null ? string.Empty : " part " + partNumber.Value.ToString(CultureInfo.InvariantCulture))} failed: HTTP {status} {code}: {values.GetValueOrDefault("Message") ?? string.Empty}")
        {
            Status = status,
            Key = Key,
            PartNumber = partNumber,
            IsTransient = transient,
            RequestId = values.GetValueOrDefault("RequestId") ?? RequestIdOf(response),
            TraceId = values.GetValueOrDefault("TraceId") ?? (response.Headers.TryGetValues("x-cos-trace-id", out var t) ? t.FirstOrDefault() : null),
            RetryAfter = _sender.RetryAfterOf(response),
        };
    }

    private async Task<byte[]> ReadAsync(string operation, HttpResponseMessage response, ActivityWatch watch, int limit, CancellationToken ct)
    {
        try
        {
            return await HttpSender.ReadBodyAsync(response, watch, limit, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new CosException(operation, "InvalidResponse", "The COS response is too large.", ex) { Key = Key, Status = (int)response.StatusCode };
        }
    }

    private CosException Crc64Mismatch(string operation, int? partNumber, ulong expected, ulong reported, HttpResponseMessage response) =>
        new(operation, "Crc64Mismatch",
            $"{operation} of {Key}{(partNumber is null ? string.Empty : " part " + partNumber.Value.ToString(CultureInfo.InvariantCulture))}: COS computed CRC-64 {reported.ToString(CultureInfo.InvariantCulture)} but the bytes sent have {expected.ToString(CultureInfo.InvariantCulture)}; the data was damaged in transit.")
        {
            Key = Key,
            PartNumber = partNumber,
            Status = (int)response.StatusCode,
            IsTransient = true,
            RequestId = RequestIdOf(response),
        };

    private Func<string, string, Exception, VodRawException> TransportError(string operation, int? partNumber) =>
        (code, message, inner) => new CosException(operation, code, $"{operation} of {Key}: {message}", inner) { Key = Key, PartNumber = partNumber, IsTransient = true };

    private static ulong? Crc64Of(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-cos-hash-crc64ecma", out var values)
        && ulong.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var crc) ? crc : null;

    private static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-cos-request-id", out var ids) ? ids.FirstOrDefault() : null;
}

/// <summary>The settings a COS target needs (copied from the client options).</summary>
internal sealed record CosTargetOptions(TimeProvider Time, TimeSpan Inactivity, TimeSpan CompleteInactivity, TimeSpan ExpiryMargin, bool SendContentMd5);
