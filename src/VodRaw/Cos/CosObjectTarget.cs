using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using VodRaw.Hashing;
using VodRaw.Http;
using VodRaw.Transfer;

namespace VodRaw.Cos;

/// <summary>
/// One COS object as an upload target: PUT Object and the multipart calls, each read into an attempt outcome and
/// sent through the shared <see cref="HttpSender"/>; the idempotency rules of spec/retries.md live here (a
/// Complete whose reply was lost is confirmed with HEAD; a lost Initiate reply is followed by a listing that aborts
/// the stray upload).
/// </summary>
internal sealed class CosObjectTarget : IMultipartTarget
{
    /// <summary>Attempts for Abort, separate from the retry options: cleanup gets its own small budget.</summary>
    public const int AbortAttempts = 3;

    private const int MaxListingPages = 10;

    private readonly HttpSender _sender;
    private readonly CosRequestFactory _requests;
    private readonly CosTargetOptions _options;

    public CosObjectTarget(HttpSender sender, CosRequestFactory requests, string bucket, string key, CosTargetOptions options)
    {
        _sender = sender;
        _requests = requests;
        Bucket = bucket;
        Key = key;
        _options = options;
    }

    public string Bucket { get; }

    public string Key { get; }

    public Task<ulong?> PutObjectAsync(PartData data, PartProgress progress, CancellationToken cancellationToken)
    {
        var md5 = _options.SendContentMd5 ? Convert.ToBase64String(MD5.HashData(data.Bytes.Span)) : null;
        PartContent? content = null;
        return _sender.SendAsync(new HttpCall<ulong?>
        {
            Operation = ServiceOperation.PutObject,
            Host = _requests.Host,
            ObjectKey = Key,
            Bytes = data.Length,
            Inactivity = _options.Inactivity,
            CreateRequest = (_, watchdog) =>
            {
                content = new PartContent(data, watchdog, progress, _options.RateLimiter);
                return _requests.Create(HttpMethod.Put, Key, [], content, null, md5);
            },
            ReadResponse = async (response, watchdog, ct) =>
            {
                if (await CosResponse.ErrorOfAsync(response, watchdog, _sender.RetryAfterOf(response), ct).ConfigureAwait(false) is { } error)
                {
                    return error;
                }

                if (string.IsNullOrEmpty(response.Headers.ETag?.Tag))
                {
                    // A 200 without an ETag is not a stored object (a proxy, or an <Error> body): send it again.
                    return CosResponse.Unusable(response, await CosResponse.ReadResultAsync(response, watchdog, ct).ConfigureAwait(false), "an ETag");
                }

                if (await WrittenAsync(content!, ct).ConfigureAwait(false) is not { } sent)
                {
                    return CosResponse.Unusable(response, null, "a reply after the whole body");
                }

                var reported = CosResponse.Crc64Of(response);
                return reported is { } r && r != sent ? CosResponse.Crc64Mismatch(response, sent, r, "the object") : Attempt<ulong?>.Success(reported);
            },
            CreateException = Failure(ServiceOperation.PutObject, null, null),
            OnThrottled = _options.Throttled,
        }, cancellationToken);
    }

    /// <summary>
    /// The CRC-64 of the bytes an attempt's body wrote, which a success is checked against (held bytes' is known, a
    /// streamed body's once written; a success can only follow the last byte). Null when the body stopped early.
    /// </summary>
    private static Task<ulong?> WrittenAsync(PartContent content, CancellationToken cancellationToken) => content.Written.WaitAsync(cancellationToken);

    public async Task<string> InitiateAsync(CancellationToken cancellationToken)
    {
        var replyLost = false;
        var call = new HttpCall<string>
        {
            Operation = ServiceOperation.InitiateMultipartUpload,
            Host = _requests.Host,
            ObjectKey = Key,
            Inactivity = _options.Inactivity,
            CreateRequest = (_, _) => _requests.Create(HttpMethod.Post, Key, [new("uploads", string.Empty)], new ByteArrayContent([])),
            OnReplyLost = () => replyLost = true,
            ReadResponse = async (response, watchdog, ct) =>
            {
                if (await CosResponse.ErrorOfAsync(response, watchdog, _sender.RetryAfterOf(response), ct).ConfigureAwait(false) is { } error)
                {
                    return error;
                }

                var body = await CosResponse.ReadResultAsync(response, watchdog, ct).ConfigureAwait(false);
                var xml = body is null ? null : CosXml.Read(body, "UploadId");
                return xml is { Root: "InitiateMultipartUploadResult" } parsed && parsed.Values.TryGetValue("UploadId", out var id) && id.Length > 0
                    ? Attempt<string>.Success(id)
                    : CosResponse.Unusable(response, body, "an UploadId");
            },
            CreateException = Failure(ServiceOperation.InitiateMultipartUpload, null, null),
        };

        string uploadId;
        try
        {
            uploadId = await _sender.SendAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when ((replyLost && e is VodRawException or OperationCanceledException) || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // An attempt before the last may have created an upload whose id never arrived (its reply was lost, or a
            // cancel cut it off): find and abort it, on a timer of its own.
            var leftOpen = await AbortStrayUploadsAsync(keep: null, LostInitiateReason).ConfigureAwait(false);
            if (leftOpen.Count > 0)
            {
                StrayUploads = leftOpen; // named in the outcome whatever ends the upload, a cancellation too
            }

            if (e is VodRawException v && leftOpen.Count > 0)
            {
                throw v.With(v.CheckpointId, [.. v.OpenUploads, .. leftOpen]);
            }

            throw;
        }

        if (replyLost)
        {
            var leftOpen = await AbortStrayUploadsAsync(keep: uploadId, LostInitiateReason).ConfigureAwait(false);
            if (leftOpen.Count > 0)
            {
                StrayUploads = leftOpen;
            }
        }

        return uploadId;
    }

    /// <summary>Uploads created by a lost Initiate reply that could not be aborted (reported with the upload's outcome).</summary>
    public IReadOnlyList<OpenMultipartUpload> StrayUploads { get; private set; } = [];

    public Task<CompletedPart> UploadPartAsync(string uploadId, int partNumber, PartData data, PartProgress progress, CancellationToken cancellationToken)
    {
        var md5 = _options.SendContentMd5 ? Convert.ToBase64String(MD5.HashData(data.Bytes.Span)) : null;
        var number = partNumber.ToString(CultureInfo.InvariantCulture);
        PartContent? content = null;
        return _sender.SendAsync(new HttpCall<CompletedPart>
        {
            Operation = ServiceOperation.UploadPart,
            Host = _requests.Host,
            ObjectKey = Key,
            PartNumber = partNumber,
            Bytes = data.Length,
            Inactivity = _options.Inactivity,
            CreateRequest = (_, watchdog) =>
            {
                content = new PartContent(data, watchdog, progress, _options.RateLimiter);
                return _requests.Create(HttpMethod.Put, Key, [new("partNumber", number), new("uploadId", uploadId)], content, null, md5);
            },
            ReadResponse = async (response, watchdog, ct) =>
            {
                if (await CosResponse.ErrorOfAsync(response, watchdog, _sender.RetryAfterOf(response), ct).ConfigureAwait(false) is { } error)
                {
                    return error;
                }

                var etag = response.Headers.ETag?.Tag;
                if (string.IsNullOrEmpty(etag))
                {
                    return CosResponse.Unusable(response, await CosResponse.ReadResultAsync(response, watchdog, ct).ConfigureAwait(false), "an ETag");
                }

                if (await WrittenAsync(content!, ct).ConfigureAwait(false) is not { } sent)
                {
                    return CosResponse.Unusable(response, null, "a reply after the whole body");
                }

                return CosResponse.Crc64Of(response) is { } reported && reported != sent
                    ? CosResponse.Crc64Mismatch(response, sent, reported, "part " + number)
                    : Attempt<CompletedPart>.Success(new CompletedPart(partNumber, etag, data.Length, sent));
            },
            CreateException = Failure(ServiceOperation.UploadPart, partNumber, uploadId),
            OnThrottled = _options.Throttled,
        }, cancellationToken);
    }

    public Task<ulong?> CompleteAsync(string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken)
    {
        var body = CosXml.CompleteRequest(parts);
        var expected = 0UL;
        long size = 0;
        foreach (var p in parts)
        {
            expected = Crc64.Combine(expected, p.Crc64, p.Size);
            size += p.Size;
        }

        return _sender.SendAsync(new HttpCall<ulong?>
        {
            Operation = ServiceOperation.CompleteMultipartUpload,
            Host = _requests.Host,
            ObjectKey = Key,
            Inactivity = _options.Inactivity,
            CreateRequest = (_, _) =>
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
                return _requests.Create(HttpMethod.Post, Key, [new("uploadId", uploadId)], content, "application/xml");
            },
            ReadResponse = async (response, watchdog, ct) =>
            {
                // COS answers 200 at once and may pause while merging; give the merge its own, longer allowance.
                watchdog.Limit = _options.CompleteInactivity;
                if (await CosResponse.ErrorOfAsync(response, watchdog, _sender.RetryAfterOf(response), ct).ConfigureAwait(false) is { } error)
                {
                    return error;
                }

                var result = await CosResponse.ReadResultAsync(response, watchdog, ct).ConfigureAwait(false);
                var xml = result is null ? null : CosXml.Read(result, "ETag");
                if (xml is not { Root: "CompleteMultipartUploadResult" } ok || !ok.Values.TryGetValue("ETag", out var etag) || etag.Length == 0)
                {
                    // A 200 whose body is an error (or no result): COS failed while merging; Complete can be sent again.
                    return CosResponse.Unusable(response, result, "a CompleteMultipartUploadResult");
                }

                var reported = CosResponse.Crc64Of(response);
                return reported is { } crc && crc != expected
                    ? CosResponse.Crc64Mismatch(response, expected, crc, "the assembled object")
                    : Attempt<ulong?>.Success(reported);
            },
            // An earlier attempt's reply was lost and this one got NoSuchUpload: the object may be complete already.
            Confirm = (_, ct) => ConfirmStoredAsync(size, expected, ct),
            CreateException = Failure(ServiceOperation.CompleteMultipartUpload, null, uploadId),
        }, cancellationToken);
    }

    public Task<bool> AbortAsync(string uploadId, CancellationToken cancellationToken) =>
        _sender.SendAsync(new HttpCall<bool>
        {
            Operation = ServiceOperation.AbortMultipartUpload,
            Host = _requests.Host,
            ObjectKey = Key,
            Inactivity = _options.Inactivity,
            MaxAttempts = AbortAttempts,
            CreateRequest = (_, _) => _requests.Create(HttpMethod.Delete, Key, [new("uploadId", uploadId)], new ByteArrayContent([])),
            ReadResponse = async (response, watchdog, ct) =>
            {
                if (await CosResponse.ErrorOfAsync(response, watchdog, _sender.RetryAfterOf(response), ct).ConfigureAwait(false) is { } error)
                {
                    return error;
                }

                // A 2xx carrying an Error document did not abort anything.
                var body = await CosResponse.ReadResultAsync(response, watchdog, ct).ConfigureAwait(false);
                return body is { Length: > 0 } && CosXml.Read(body, "Code") is { Root: "Error" }
                    ? CosResponse.Unusable(response, body, "an empty success")
                    : Attempt<bool>.Success(true);
            },
            Confirm = (_, _) => Task.FromResult(Attempt<bool>.Success(false)), // already gone: completed or aborted before
            CreateException = Failure(ServiceOperation.AbortMultipartUpload, null, uploadId),
        }, cancellationToken);

    /// <summary>
    /// The parts COS holds for an upload (every page), for a resume to reconcile with its checkpoint; null when the
    /// upload is gone (completed or aborted since: the table's NoSuchUpload row for ListParts).
    /// </summary>
    public async Task<IReadOnlyList<ListedPart>?> ListPartsAsync(string uploadId, CancellationToken cancellationToken)
    {
        var all = new List<ListedPart>();
        var marker = 0;
        for (var page = 0; page < 10 + (PartPlan.MaxParts / 1000); page++)
        {
            KeyValuePair<string, string>[] query = [new("uploadId", uploadId), new("max-parts", "1000"), new("part-number-marker", marker.ToString(CultureInfo.InvariantCulture))];
            var listing = await _sender.SendAsync(new HttpCall<(List<(int, string, long)> Parts, bool Truncated, int? Next)?>
            {
                Operation = ServiceOperation.ListParts,
                Host = _requests.Host,
                ObjectKey = Key,
                Inactivity = _options.Inactivity,
                CreateRequest = (_, _) => _requests.Create(HttpMethod.Get, Key, query, new ByteArrayContent([])),
                ReadResponse = async (response, watchdog, ct) =>
                {
                    if (await CosResponse.ErrorOfAsync(response, watchdog, _sender.RetryAfterOf(response), ct).ConfigureAwait(false) is { } error)
                    {
                        return error;
                    }

                    var body = await CosResponse.ReadResultAsync(response, watchdog, ct).ConfigureAwait(false);
                    return body is not null && CosXml.ReadParts(body) is { } parsed
                        ? Attempt<(List<(int, string, long)>, bool, int?)?>.Success(parsed)
                        : CosResponse.Unusable(response, body, "a ListPartsResult");
                },
                Confirm = (_, _) => Task.FromResult(Attempt<(List<(int, string, long)>, bool, int?)?>.Success(null)), // the upload is gone
                CreateException = Failure(ServiceOperation.ListParts, null, uploadId),
            }, cancellationToken).ConfigureAwait(false);

            if (listing is not { } l)
            {
                return null;
            }

            foreach (var (number, etag, size) in l.Parts)
            {
                all.Add(new ListedPart(number, etag, size));
            }

            if (!l.Truncated || l.Next is not { } next || next <= marker)
            {
                return all;
            }

            marker = next;
        }

        return all;
    }

    /// <summary>Whether the object is stored with this size and CRC-64 (a Complete applied before a crash recorded it).</summary>
    public async Task<bool> IsStoredAsync(long size, ulong crc64, CancellationToken cancellationToken) =>
        (await ConfirmStoredAsync(size, crc64, cancellationToken).ConfigureAwait(false)).Succeeded;

    /// <summary>Aborts every multipart upload of this key (one a crash left unrecorded); returns those left open.</summary>
    public Task<IReadOnlyList<OpenMultipartUpload>> AbortAllUploadsAsync(string reason) => AbortStrayUploadsAsync(keep: null, reason);

    private const string LostInitiateReason = "created by an InitiateMultipartUpload whose reply was lost";

    /// <summary>
    /// HEAD the object and accept it when its size and CRC-64 are what the parts combine to. No object (the table's
    /// HeadObject 404 row) fails with NoSuchUpload, as the refusal that led here; a different object fails as an
    /// integrity mismatch naming both.
    /// </summary>
    private async Task<Attempt<ulong?>> ConfirmStoredAsync(long size, ulong crc, CancellationToken cancellationToken)
    {
        var head = await _sender.SendAsync(new HttpCall<(long? Length, ulong? Crc, string? RequestId)?>
        {
            Operation = ServiceOperation.HeadObject,
            Host = _requests.Host,
            ObjectKey = Key,
            Inactivity = _options.Inactivity,
            CreateRequest = (_, _) => _requests.Create(HttpMethod.Head, Key, [], new ByteArrayContent([])),
            ReadResponse = async (response, watchdog, ct) =>
                await CosResponse.ErrorOfAsync(response, watchdog, null, ct).ConfigureAwait(false) is { } error
                    ? error
                    : Attempt<(long?, ulong?, string?)?>.Success((response.Content.Headers.ContentLength, CosResponse.Crc64Of(response), CosResponse.RequestIdOf(response))),
            Confirm = (_, _) => Task.FromResult(Attempt<(long?, ulong?, string?)?>.Success(null)), // no object under the key
            CreateException = Failure(ServiceOperation.HeadObject, null, null),
        }, cancellationToken).ConfigureAwait(false);

        if (head is not { } found)
        {
            return new AttemptFailure(FailureKind.ErrorResponse, ServiceErrorCodes.CosNoSuchUpload,
                $"the upload is gone and no object is stored under the key (the parts combine to {size.ToString(CultureInfo.InvariantCulture)} bytes, CRC-64 {crc.ToString(CultureInfo.InvariantCulture)})")
            {
                Status = 404,
            };
        }

        if (found.Length == size && found.Crc == crc)
        {
            return Attempt<ulong?>.Success(crc);
        }

        return new AttemptFailure(FailureKind.IntegrityMismatch, VodRawErrorCodes.Crc64Mismatch,
            $"the upload is gone and the object stored has {found.Length?.ToString(CultureInfo.InvariantCulture) ?? "no"} bytes and CRC-64 {found.Crc?.ToString(CultureInfo.InvariantCulture) ?? "none"}, not the {size.ToString(CultureInfo.InvariantCulture)} bytes and CRC-64 {crc.ToString(CultureInfo.InvariantCulture)} of the parts")
        {
            RequestId = found.RequestId,
        };
    }

    /// <summary>Lists the multipart uploads of this key and aborts every one but <paramref name="keep"/>; returns those left open.</summary>
    private async Task<IReadOnlyList<OpenMultipartUpload>> AbortStrayUploadsAsync(string? keep, string reason)
    {
        using var cleanup = new CancellationTokenSource(_options.AbortTimeout);
        List<string> ids;
        try
        {
            ids = await ListUploadIdsAsync(cleanup.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is VodRawException or OperationCanceledException)
        {
            return [new OpenMultipartUpload(Bucket, Key, "(unknown)", reason + "; the uploads of the key could not be listed: " + e.Message)];
        }

        var leftOpen = new List<OpenMultipartUpload>();
        foreach (var id in ids)
        {
            if (id == keep)
            {
                continue;
            }

            try
            {
                await AbortAsync(id, cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VodRawException or OperationCanceledException)
            {
                leftOpen.Add(new OpenMultipartUpload(Bucket, Key, id, reason + "; abort failed: " + e.Message));
            }
        }

        return leftOpen;
    }

    private async Task<List<string>> ListUploadIdsAsync(CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        string? keyMarker = null;
        string? idMarker = null;
        for (var page = 0; page < MaxListingPages; page++)
        {
            KeyValuePair<string, string>[] query = keyMarker is null
                ? [new("uploads", string.Empty), new("prefix", Key)]
                : [new("uploads", string.Empty), new("prefix", Key), new("key-marker", keyMarker), new("upload-id-marker", idMarker ?? string.Empty)];
            var listing = await _sender.SendAsync(new HttpCall<(List<(string Key, string UploadId)> Uploads, bool Truncated, string? NextKeyMarker, string? NextUploadIdMarker)>
            {
                Operation = ServiceOperation.ListMultipartUploads,
                Host = _requests.Host,
                ObjectKey = Key,
                Inactivity = _options.Inactivity,
                MaxAttempts = AbortAttempts,
                CreateRequest = (_, _) => _requests.Create(HttpMethod.Get, string.Empty, query, new ByteArrayContent([])),
                ReadResponse = async (response, watchdog, ct) =>
                {
                    if (await CosResponse.ErrorOfAsync(response, watchdog, _sender.RetryAfterOf(response), ct).ConfigureAwait(false) is { } error)
                    {
                        return error;
                    }

                    var body = await CosResponse.ReadResultAsync(response, watchdog, ct).ConfigureAwait(false);
                    return body is not null && CosXml.ReadUploads(body) is { } parsed
                        ? Attempt<(List<(string, string)>, bool, string?, string?)>.Success(parsed)
                        : CosResponse.Unusable(response, body, "a ListMultipartUploadsResult");
                },
                CreateException = Failure(ServiceOperation.ListMultipartUploads, null, null),
            }, cancellationToken).ConfigureAwait(false);

            foreach (var (key, id) in listing.Uploads)
            {
                if (key == Key)
                {
                    ids.Add(id);
                }
            }

            if (!listing.Truncated || listing.NextKeyMarker is null)
            {
                break;
            }

            keyMarker = listing.NextKeyMarker;
            idMarker = listing.NextUploadIdMarker;
        }

        return ids;
    }

    private Func<AttemptFailure, CallOutcome, VodRawException> Failure(ServiceOperation operation, int? partNumber, string? uploadId) =>
        (failure, outcome) =>
        {
            var name = operation.Name();
            var subject = partNumber is { } n ? $"{Key} part {n.ToString(CultureInfo.InvariantCulture)}" : Key;
            var where = failure.ReplyMayBeLost ? " (" + outcome.Host + ")" : string.Empty;
            var message = $"{name} of {subject} failed{where}: {failure.Detail}; {outcome.Reason}.";
            return new CosException(name, failure.Code, message, failure.Inner)
            {
                Status = failure.Status,
                RequestId = failure.RequestId,
                TraceId = failure.TraceId,
                Key = Key,
                PartNumber = partNumber,
                UploadId = uploadId,
                Attempts = outcome.Attempts,
                IsTransient = outcome.IsTransient,
            };
        };
}

/// <summary>The settings a COS target needs (copied from the client options).</summary>
internal sealed record CosTargetOptions(TimeSpan Inactivity, TimeSpan CompleteInactivity, TimeSpan AbortTimeout, bool SendContentMd5, Transfer.RateLimiter? RateLimiter = null, Action? Throttled = null);
