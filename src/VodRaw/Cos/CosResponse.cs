using System.Globalization;
using VodRaw.Http;

namespace VodRaw.Cos;

/// <summary>Reads COS replies into attempt outcomes: error bodies, request ids, CRC headers. Never throws for a service failure.</summary>
internal static class CosResponse
{
    public const int MaxErrorBody = 64 * 1024;
    public const int MaxResultBody = 1 << 20;

    /// <summary>The failure for a non-2xx reply, or null for a 2xx.</summary>
    public static async Task<AttemptFailure?> ErrorOfAsync(HttpResponseMessage response, InactivityWatchdog watchdog, TimeSpan? retryAfter, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            return null;
        }

        var body = await HttpSender.ReadBodyAsync(response, watchdog, MaxErrorBody, ct).ConfigureAwait(false) ?? [];
        var xml = CosXml.Read(body, "Code", "Message", "RequestId", "TraceId");
        var values = xml is { Root: "Error" } e ? e.Values : [];
        var code = values.GetValueOrDefault("Code")
            ?? Header(response, "x-cos-error-code")
            ?? (status == 404 ? ServiceErrorCodes.CosNoSuchKey : "HttpStatus" + status.ToString(CultureInfo.InvariantCulture));
        var message = values.GetValueOrDefault("Message");
        return new AttemptFailure(FailureKind.ErrorResponse, code, $"HTTP {status.ToString(CultureInfo.InvariantCulture)} {code}{(string.IsNullOrEmpty(message) ? string.Empty : ": " + message)}")
        {
            Status = status,
            RequestId = values.GetValueOrDefault("RequestId") ?? RequestIdOf(response),
            TraceId = values.GetValueOrDefault("TraceId") ?? Header(response, "x-cos-trace-id"),
            RetryAfter = retryAfter,
        };
    }

    /// <summary>A 2xx whose body is not the expected result: if it is an <c>Error</c> document, its code is kept.</summary>
    public static AttemptFailure Unusable(HttpResponseMessage response, byte[]? body, string what)
    {
        var xml = body is null ? null : CosXml.Read(body, "Code", "Message", "RequestId", "TraceId");
        var values = xml is { Root: "Error" } e ? e.Values : null;
        var code = values?.GetValueOrDefault("Code") ?? VodRawErrorCodes.InvalidResponse;
        var detail = values is null
            ? $"HTTP {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)} without {what}"
            : $"HTTP {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)} with an error body instead of {what}: {code}: {values.GetValueOrDefault("Message") ?? string.Empty}";
        return new AttemptFailure(FailureKind.InvalidResponse, code, detail)
        {
            Status = (int)response.StatusCode,
            RequestId = values?.GetValueOrDefault("RequestId") ?? RequestIdOf(response),
            TraceId = values?.GetValueOrDefault("TraceId") ?? Header(response, "x-cos-trace-id"),
        };
    }

    public static AttemptFailure Crc64Mismatch(HttpResponseMessage response, ulong expected, ulong reported, string what) =>
        new(FailureKind.IntegrityMismatch, VodRawErrorCodes.Crc64Mismatch,
            $"COS computed CRC-64 {reported.ToString(CultureInfo.InvariantCulture)} for {what} but the bytes sent have {expected.ToString(CultureInfo.InvariantCulture)}")
        {
            Status = (int)response.StatusCode,
            RequestId = RequestIdOf(response),
            TraceId = Header(response, "x-cos-trace-id"),
        };

    public static ulong? Crc64Of(HttpResponseMessage response) =>
        Header(response, "x-cos-hash-crc64ecma") is { } value
        && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var crc) ? crc : null;

    public static string? RequestIdOf(HttpResponseMessage response) => Header(response, "x-cos-request-id");

    public static async Task<byte[]?> ReadResultAsync(HttpResponseMessage response, InactivityWatchdog watchdog, CancellationToken ct) =>
        await HttpSender.ReadBodyAsync(response, watchdog, MaxResultBody, ct).ConfigureAwait(false);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.FirstOrDefault() : null;
}
