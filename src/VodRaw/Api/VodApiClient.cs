using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VodRaw.Http;
using VodRaw.Signing;

namespace VodRaw.Api;

/// <summary>
/// Calls the VOD API: the body is serialised once, then every attempt signs those same bytes with a fresh timestamp.
/// Transport failures, non-200 answers and RequestLimitExceeded are retried with backoff; API errors are not.
/// </summary>
internal sealed class VodApiClient
{
    public const string ApiVersion = "2018-07-17";
    private const string ContentType = "application/json";
    private const int MaxResponseBytes = 4 << 20;

    private readonly HttpSender _sender;
    private readonly Tc3Signer _signer;
    private readonly string? _token;
    private readonly Uri _endpoint;
    private readonly string _host;
    private readonly bool _signAction;
    private readonly TimeProvider _time;
    private readonly TimeSpan _inactivity;

    public VodApiClient(HttpSender sender, VodCredential credential, Uri endpoint, bool signAction, TimeProvider time, TimeSpan inactivity)
    {
        _sender = sender;
        _signer = new Tc3Signer(credential);
        _token = credential.Token;
        _endpoint = endpoint;
        _host = endpoint.Authority;
        _signAction = signAction;
        _time = time;
        _inactivity = inactivity;
    }

    public Task<ApplyUploadResult> ApplyUploadAsync(string region, ApplyUploadBody body, CancellationToken cancellationToken) =>
        CallAsync("ApplyUpload", region, JsonSerializer.SerializeToUtf8Bytes(body, VodJsonContext.Default.ApplyUploadBody),
            VodJsonContext.Default.ApiEnvelopeApplyUploadResult, cancellationToken);

    public Task<CommitUploadResult> CommitUploadAsync(string region, CommitUploadBody body, CancellationToken cancellationToken) =>
        CallAsync("CommitUpload", region, JsonSerializer.SerializeToUtf8Bytes(body, VodJsonContext.Default.CommitUploadBody),
            VodJsonContext.Default.ApiEnvelopeCommitUploadResult, cancellationToken);

    public Task<ParseStreamingManifestResult> ParseStreamingManifestAsync(string region, ParseStreamingManifestBody body, CancellationToken cancellationToken) =>
        CallAsync("ParseStreamingManifest", region, JsonSerializer.SerializeToUtf8Bytes(body, VodJsonContext.Default.ParseStreamingManifestBody),
            VodJsonContext.Default.ApiEnvelopeParseStreamingManifestResult, cancellationToken);

    private Task<T> CallAsync<T>(string action, string region, byte[] payload, JsonTypeInfo<ApiEnvelope<T>> typeInfo, CancellationToken cancellationToken)
        where T : ApiResult =>
        _sender.SendAsync(
            (_, _) => CreateRequest(action, region, payload),
            async (response, watch, ct) =>
            {
                var status = (int)response.StatusCode;
                if (status != 200)
                {
                    throw new VodApiException(action, "ServerNetworkError", $"HTTP {status} from the VOD API.")
                    {
                        Status = status,
                        IsTransient = HttpSender.IsTransientStatus(status),
                        RetryAfter = _sender.RetryAfterOf(response),
                    };
                }

                byte[] bytes;
                try
                {
                    bytes = await HttpSender.ReadBodyAsync(response, watch, MaxResponseBytes, ct).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    throw new VodApiException(action, "InvalidResponse", "The VOD API response is too large.", e) { Status = status };
                }

                T? result;
                try
                {
                    result = JsonSerializer.Deserialize(bytes, typeInfo)?.Response;
                }
                catch (JsonException e)
                {
                    throw new VodApiException(action, "InvalidResponse", "The VOD API answered with something that is not its JSON envelope.", e) { Status = status, IsTransient = true };
                }

                if (result is null)
                {
                    throw new VodApiException(action, "InvalidResponse", "The VOD API response has no Response object.") { Status = status, IsTransient = true };
                }

                if (result.Error is { } error)
                {
                    var code = error.Code ?? "UnknownError";
                    throw new VodApiException(action, code, error.Message ?? string.Empty)
                    {
                        Status = status,
                        RequestId = result.RequestId,
                        IsTransient = code.StartsWith("RequestLimitExceeded", StringComparison.Ordinal),
                    };
                }

                return result;
            },
            (code, message, inner) => new VodApiException(action, code, message, inner) { IsTransient = true },
            _inactivity,
            cancellationToken);

    private HttpRequestMessage CreateRequest(string action, string region, byte[] payload)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var authorization = _signer.Sign(new Tc3SigningInput
        {
            Service = "vod",
            Host = _host,
            ContentType = ContentType,
            Payload = payload,
            Timestamp = timestamp,
            Action = action,
            SignAction = _signAction,
        });

        var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = content };
        request.Headers.Host = _host;
        foreach (var (name, value) in Tc3Headers.Build(authorization, ContentType, _host, action, ApiVersion, timestamp, region, _token))
        {
            if (name is not ("Content-Type" or "Host"))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }
}
