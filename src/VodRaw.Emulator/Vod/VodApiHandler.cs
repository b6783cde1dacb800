using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace VodRaw.Emulator.Vod;

/// <summary>The VOD API side: POST / with TC3-signed JSON, answering with the API 3.0 envelope.</summary>
internal sealed partial class VodApiHandler(VodEmulator emulator)
{
    private const int MaxBodyBytes = 8 << 20;
    private const int MaxObjectKeyBytes = 850; // COS: an object key is at most 850 bytes of UTF-8

    private static readonly HashSet<string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "wmv", "rm", "mov", "mpeg", "mp4", "3gp", "flv", "avi", "rmvb", "ts", "asf", "mpg", "webm", "mkv", "m3u8", "wm", "asx",
        "ram", "mpe", "vob", "dat", "mp4v", "m4v", "f4v", "mxf", "qt", "ogg", "mp3", "m4a", "flac", "wav", "ra", "aac", "amr", "mpd",
    };

    private static readonly HashSet<string> CoverTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "jpg", "jpeg", "png", "gif", "bmp", "tiff", "ai", "cdr", "eps",
    };

    private static readonly Dictionary<string, string[]> Fields = new(StringComparer.Ordinal)
    {
        ["ApplyUpload"] = ["MediaType", "SubAppId", "MediaName", "CoverType", "Procedure", "ExpireTime", "StorageRegion", "ClassId", "SourceContext", "SessionContext", "ExtInfo", "MediaStoragePath"],
        ["CommitUpload"] = ["VodSessionKey", "SubAppId"],
        ["ParseStreamingManifest"] = ["MediaManifestContent", "ManifestType"],
        ["PullUpload"] = ["MediaUrl", "MediaType", "SubAppId", "MediaName", "CoverUrl", "Procedure", "ExpireTime", "StorageRegion", "ClassId", "TasksPriority", "SessionContext", "SessionId", "ExtInfo", "SourceContext", "MediaStoragePath"],
        ["DescribeTaskDetail"] = ["TaskId", "SubAppId"],
        ["DescribeTasks"] = ["SubAppId", "Status", "FileId", "CreateTime", "FinishTime", "Sort", "Limit", "ScrollToken"],
    };

    public async Task HandleAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        // TC3 names the action in a header; a v1 request in its parameters (the query here, or the form body below).
        var action = context.Request.Headers["X-TC-Action"].ToString() is { Length: > 0 } header ? header : context.Request.Query["Action"].ToString();
        var operation = OperationOf(action);

        await emulator.EmulateLatencyAsync(context.RequestAborted).ConfigureAwait(false);
        var fault = emulator.Faults.Match(operation, null, null);
        if (fault?.Kind == FaultKind.ResetConnection)
        {
            emulator.Log(operation, context.Request.Method, action, null, 0, null, fault.Kind, 0);
            context.Abort();
            return;
        }

        if (fault?.Kind == FaultKind.LoseReply)
        {
            VodEmulator.LoseReply(context);
        }
        else if (fault?.Kind == FaultKind.DelayReply)
        {
            VodEmulator.DelayReply(context, fault.Duration ?? TimeSpan.Zero);
        }

        if (fault?.Kind is FaultKind.Delay or FaultKind.Stall)
        {
            try
            {
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, emulator.Stopping);
                await Task.Delay(fault.Duration ?? Timeout.InfiniteTimeSpan, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                emulator.Log(operation, context.Request.Method, action, null, 0, null, fault.Kind, 0);
                return;
            }
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(context).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            await WriteErrorAsync(context, operation, action, requestId, "InvalidRequest", "The request body is too large.", fault, 0).ConfigureAwait(false);
            return;
        }

        if (fault?.Kind == FaultKind.Fail)
        {
            if (fault.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            context.Response.StatusCode = fault.Status;
            await WriteErrorAsync(context, operation, action, requestId, fault.Code, "Injected fault.", fault, body.Length).ConfigureAwait(false);
            return;
        }

        string version;
        string region;
        if (!context.Request.Headers.ContainsKey("Authorization"))
        {
            // Signature v1 (the official Node.js SDK's default): GET or form POST, every parameter signed.
            var parameters = V1Request.Parameters(context.Request, body);
            var v1Error = V1Verifier.Verify(context.Request.Method, context.Request.Host.Value ?? string.Empty, context.Request.Path.Value is { Length: > 0 } p ? p : "/",
                parameters, emulator.Time.GetUtcNow(), emulator.FindApiCredential);
            action = parameters.GetValueOrDefault("Action", action);
            operation = OperationOf(action);
            if (v1Error is { } v1)
            {
                await WriteErrorAsync(context, operation, action, requestId, v1.Code, v1.Message, null, body.Length).ConfigureAwait(false);
                return;
            }

            version = parameters.GetValueOrDefault("Version", string.Empty);
            region = parameters.GetValueOrDefault("Region", string.Empty);
            body = V1Request.ActionBody(parameters);
        }
        else
        {
            version = context.Request.Headers["X-TC-Version"].ToString();
            region = context.Request.Headers["X-TC-Region"].ToString();
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                await WriteErrorAsync(context, operation, action, requestId, "InvalidRequest", "TC3 requests are served as POST with a JSON body.", null, body.Length).ConfigureAwait(false);
                return;
            }

            var tc3Error = Tc3Verifier.Verify(
            context.Request.Method,
            context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : string.Empty,
            name => context.Request.Headers.TryGetValue(name, out var v) ? v.ToString() : null,
            body,
            emulator.Time.GetUtcNow(),
            emulator.FindApiCredential);
            if (tc3Error is { } e)
            {
                await WriteErrorAsync(context, operation, action, requestId, e.Code, e.Message, null, body.Length).ConfigureAwait(false);
                return;
            }
        }

        if (string.IsNullOrEmpty(action))
        {
            await WriteErrorAsync(context, operation, action, requestId, "MissingParameter", "The action (X-TC-Action, or Action with signature v1) is required.", null, body.Length).ConfigureAwait(false);
            return;
        }

        if (operation == EmulatorOperation.Unknown)
        {
            await WriteErrorAsync(context, operation, action, requestId, "InvalidAction", $"The action {action} is not served.", null, body.Length).ConfigureAwait(false);
            return;
        }

        if (version != "2018-07-17")
        {
            await WriteErrorAsync(context, operation, action, requestId, "NoSuchVersion", "The version (X-TC-Version, or Version with signature v1) must be 2018-07-17.", null, body.Length).ConfigureAwait(false);
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            await WriteErrorAsync(context, operation, action, requestId, "InvalidParameter", "The body is not valid JSON.", null, body.Length).ConfigureAwait(false);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await WriteErrorAsync(context, operation, action, requestId, "InvalidParameter", "The body must be a JSON object.", null, body.Length).ConfigureAwait(false);
                return;
            }

            foreach (var property in root.EnumerateObject())
            {
                if (!Fields[action].Contains(property.Name))
                {
                    await WriteErrorAsync(context, operation, action, requestId, "UnknownParameter", $"The parameter {property.Name} is not recognised.", null, body.Length).ConfigureAwait(false);
                    return;
                }
            }

            var result = operation switch
            {
                EmulatorOperation.ApplyUpload => ApplyUpload(root, region),
                EmulatorOperation.CommitUpload => CommitUpload(root),
                EmulatorOperation.PullUpload => PullUpload(root, region),
                EmulatorOperation.DescribeTaskDetail => DescribeTaskDetail(root),
                EmulatorOperation.DescribeTasks => DescribeTasks(root),
                _ => ParseStreamingManifest(root),
            };

            if (result.Error is { } failure)
            {
                await WriteErrorAsync(context, operation, action, requestId, failure.Code, failure.Message, null, body.Length).ConfigureAwait(false);
                return;
            }

            await WriteResponseAsync(context, requestId, result.Write!).ConfigureAwait(false);
            emulator.Log(operation, context.Request.Method, action, null, 200, null, null, body.Length);
        }
    }

    private static EmulatorOperation OperationOf(string action) => action switch
    {
        "ApplyUpload" => EmulatorOperation.ApplyUpload,
        "CommitUpload" => EmulatorOperation.CommitUpload,
        "ParseStreamingManifest" => EmulatorOperation.ParseStreamingManifest,
        "PullUpload" => EmulatorOperation.PullUpload,
        "DescribeTaskDetail" => EmulatorOperation.DescribeTaskDetail,
        "DescribeTasks" => EmulatorOperation.DescribeTasks,
        _ => EmulatorOperation.Unknown,
    };

    private Outcome ApplyUpload(JsonElement root, string region)
    {
        if (string.IsNullOrEmpty(region))
        {
            return Outcome.Fail("MissingParameter", "The Region parameter (X-TC-Region) is required.");
        }

        if (!TryString(root, "MediaType", out var mediaType, out var bad) || mediaType is null)
        {
            return bad ?? Outcome.Fail("MissingParameter", "MediaType is required.");
        }

        if (!MediaTypes.Contains(mediaType))
        {
            return Outcome.Fail("InvalidParameterValue.MediaType", $"The media type {mediaType} is not supported.");
        }

        if (!TryString(root, "CoverType", out var coverType, out bad))
        {
            return bad!;
        }

        if (coverType is not null && !CoverTypes.Contains(coverType))
        {
            return Outcome.Fail("InvalidParameterValue.CoverType", $"The cover type {coverType} is not supported.");
        }

        if (!TryString(root, "ExpireTime", out var expireTime, out bad))
        {
            return bad!;
        }

        if (expireTime is not null && CheckExpireTime(expireTime) is { } badExpiry)
        {
            return badExpiry;
        }

        foreach (var (name, max) in new[] { ("SourceContext", 250), ("SessionContext", 1000) })
        {
            if (!TryString(root, name, out var value, out bad))
            {
                return bad!;
            }

            if (value is not null && value.Length > max)
            {
                return Outcome.Fail($"InvalidParameterValue.{name}", $"{name} is longer than {max} characters.");
            }
        }

        foreach (var name in new[] { "MediaName", "Procedure", "StorageRegion", "ExtInfo", "MediaStoragePath" })
        {
            if (!TryString(root, name, out _, out bad))
            {
                return bad!;
            }
        }

        if (!TryInteger(root, "SubAppId", out var subAppId, out bad) || !TryInteger(root, "ClassId", out _, out bad))
        {
            return bad!;
        }

        if (subAppId is not null && !emulator.IsKnownSubAppId(subAppId.Value))
        {
            return Outcome.Fail("InvalidParameterValue.SubAppId", "The SubAppId does not exist.");
        }

        TryString(root, "MediaStoragePath", out var mediaStoragePath, out _);
        if (mediaStoragePath is not null && ChosenPathRefusal(mediaStoragePath, subAppId, coverType) is { } refusal)
        {
            return Outcome.Fail("InvalidParameterValue.MediaStoragePath", refusal);
        }

        TryString(root, "StorageRegion", out var storageRegion, out _);
        var session = emulator.CreateSession(mediaType, coverType, subAppId, storageRegion ?? region, root.GetRawText(), mediaStoragePath);
        return Outcome.Ok(w =>
        {
            w.WriteString("StorageBucket", session.Bucket);
            w.WriteString("StorageRegion", session.Region);
            w.WriteString("VodSessionKey", session.SessionKey);
            w.WriteString("MediaStoragePath", session.MediaStoragePath);
            if (session.CoverStoragePath is null)
            {
                w.WriteNull("CoverStoragePath");
            }
            else
            {
                w.WriteString("CoverStoragePath", session.CoverStoragePath);
            }

            w.WriteStartObject("TempCertificate");
            w.WriteString("SecretId", session.TempCredential.SecretId);
            w.WriteString("SecretKey", session.TempCredential.SecretKey);
            w.WriteString("Token", session.TempCredential.Token);
            w.WriteNumber("ExpiredTime", session.TempCredentialExpires.ToUnixTimeSeconds());
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// Why an ApplyUpload may not store its media at <paramref name="path"/>, or null when it may: only a sub-application
    /// in FileID + Path mode chooses paths (the default application, without SubAppId, is not one); the path starts
    /// with '/' and what follows is an object key COS takes (not empty, no leading '/' or '\', at most 850 UTF-8
    /// bytes, none of CAN EM SUB ESC; a lone surrogate never gets here); and no committed media holds it, nor the cover path that goes with it (the docs
    /// do not say what VOD does then; the emulator refuses).
    /// </summary>
    private string? ChosenPathRefusal(string path, long? subAppId, string? coverType)
    {
        if (subAppId is not { } id)
        {
            return "Only a sub-application in FileID + Path mode may choose its MediaStoragePath, and this ApplyUpload names no SubAppId.";
        }

        if (!emulator.IsPathMode(id))
        {
            return string.Create(CultureInfo.InvariantCulture, $"Only a sub-application in FileID + Path mode may choose its MediaStoragePath; sub-application {id} is not in that mode.");
        }

        if (path.Length < 2 || path[0] != '/' || path[1] is '/' or '\\')
        {
            return "MediaStoragePath must be a slash followed by an object key that does not itself start with a slash or backslash, such as /dir1/video.mp4.";
        }

        var bytes = Encoding.UTF8.GetByteCount(path.AsSpan(1)); // well-formed: TryString refuses a lone surrogate
        if (bytes > MaxObjectKeyBytes)
        {
            return string.Create(CultureInfo.InvariantCulture, $"MediaStoragePath is {bytes} bytes long after its first slash; COS object keys are at most {MaxObjectKeyBytes}.");
        }

        if (path.AsSpan().IndexOfAnyInRange('\u0018', '\u001B') >= 0)
        {
            return "MediaStoragePath contains a control character COS refuses in object keys (CAN, EM, SUB or ESC).";
        }

        var bucket = emulator.BucketFor(subAppId);
        return emulator.FindCommittedAt(bucket, path, VodEmulator.ChosenCoverPath(path, coverType)) is { } taken
            ? $"MediaStoragePath {path} cannot be used: {taken.Path} already holds committed media (FileId {taken.FileId}), and the emulator refuses a second upload to it."
            : null;
    }

    private Outcome CommitUpload(JsonElement root)
    {
        if (!TryString(root, "VodSessionKey", out var key, out var bad) || key is null)
        {
            return bad ?? Outcome.Fail("MissingParameter", "VodSessionKey is required.");
        }

        if (!TryInteger(root, "SubAppId", out var subAppId, out bad))
        {
            return bad!;
        }

        var session = emulator.FindSession(key);
        if (session is null)
        {
            return Outcome.Fail("InvalidParameterValue.VodSessionKey", "The VodSessionKey is not valid.");
        }

        if (session.SubAppId != subAppId)
        {
            return Outcome.Fail("InvalidParameterValue.SubAppId", "The SubAppId does not match the one the upload was applied for.");
        }

        var (commit, code, message) = emulator.CommitOnce(session);
        if (commit is not { } committed)
        {
            return Outcome.Fail(code!, message!);
        }

        return Outcome.Ok(w =>
        {
            w.WriteString("FileId", committed.FileId);
            w.WriteString("MediaUrl", committed.MediaUrl);
            if (committed.CoverUrl is null)
            {
                w.WriteNull("CoverUrl");
            }
            else
            {
                w.WriteString("CoverUrl", committed.CoverUrl);
            }
        });
    }

    /// <summary>ExpireTime as ApplyUpload and PullUpload take it: ISO 8601 with a zone, in the future; null when it is.</summary>
    private Outcome? CheckExpireTime(string expireTime)
    {
        if (!DateTimeOffset.TryParseExact(expireTime, ["yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires)
            || !(expireTime.EndsWith('Z') || expireTime.Contains('+', StringComparison.Ordinal) || expireTime.LastIndexOf('-') > 10))
        {
            return Outcome.Fail("InvalidParameter.ExpireTime", "ExpireTime must be an ISO 8601 date and time with a zone, such as 2030-01-01T00:00:00Z.");
        }

        return expires <= emulator.Time.GetUtcNow() ? Outcome.Fail("InvalidParameterValue.ExpireTime", "ExpireTime is in the past.") : null;
    }

    private static Outcome ParseStreamingManifest(JsonElement root)
    {
        if (!TryString(root, "MediaManifestContent", out var content, out var bad) || content is null)
        {
            return bad ?? Outcome.Fail("MissingParameter", "MediaManifestContent is required.");
        }

        if (!TryString(root, "ManifestType", out var type, out bad))
        {
            return bad!;
        }

        type ??= "m3u8";
        if (type is not ("m3u8" or "mpd"))
        {
            return Outcome.Fail("InvalidParameterValue.ManifestType", "ManifestType must be m3u8 or mpd.");
        }

        IReadOnlyList<string> segments;
        try
        {
            // The emulator's own reader: the client's Local discovery is checked against it, not against itself.
            segments = PackageReader.Read(System.Text.Encoding.UTF8.GetBytes(content), type);
        }
        catch (FormatException e)
        {
            return Outcome.Fail("InvalidParameterValue.MediaManifestContent", "The manifest cannot be parsed: " + e.Message);
        }

        return Outcome.Ok(w =>
        {
            w.WriteStartArray("MediaSegmentSet");
            foreach (var s in segments)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
        });
    }

    private static bool TryString(JsonElement root, string name, out string? value, out Outcome? error)
    {
        value = null;
        error = null;
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (p.ValueKind != JsonValueKind.String)
        {
            error = Outcome.Fail("InvalidParameter", $"{name} must be a string.");
            return false;
        }

        try
        {
            value = p.GetString();
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\ud800) is valid JSON but no text.
            error = Outcome.Fail("InvalidParameter", $"{name} is not valid Unicode text (it has a lone surrogate).");
            return false;
        }

        return true;
    }

    private static bool TryInteger(JsonElement root, string name, out long? value, out Outcome? error)
    {
        value = null;
        error = null;
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (p.ValueKind != JsonValueKind.Number || !p.TryGetInt64(out var n))
        {
            error = Outcome.Fail("InvalidParameter", $"{name} must be an integer.");
            return false;
        }

        value = n;
        return true;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var n = await context.Request.Body.ReadAsync(memory, context.RequestAborted).ConfigureAwait(false);
            if (n == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(n);
            if (buffer.WrittenCount > MaxBodyBytes)
            {
                throw new InvalidDataException("Body too large.");
            }
        }
    }

    private async Task WriteErrorAsync(HttpContext context, EmulatorOperation operation, string action, string requestId, string code, string message, FaultRule? fault, long bodyBytes)
    {
        await WriteResponseAsync(context, requestId, w =>
        {
            w.WriteStartObject("Error");
            w.WriteString("Code", code);
            w.WriteString("Message", message);
            w.WriteEndObject();
        }).ConfigureAwait(false);
        emulator.Log(operation, context.Request.Method, action, null, context.Response.StatusCode, code, fault?.Kind, bodyBytes);
    }

    private static async Task WriteResponseAsync(HttpContext context, string requestId, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("Response");
            write(w);
            w.WriteString("RequestId", requestId);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private sealed record Outcome((string Code, string Message)? Error, Action<Utf8JsonWriter>? Write)
    {
        public static Outcome Fail(string code, string message) => new((code, message), null);

        public static Outcome Ok(Action<Utf8JsonWriter> write) => new(null, write);
    }
}
