using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VodRaw.Http;
using VodRaw.Signing;

namespace VodRaw.Api;

/// <summary>
/// Calls the VOD API: the body is serialised once, then every attempt signs those same bytes with a fresh timestamp.
/// Replies become attempt outcomes; <see cref="RetryPolicy"/> decides which are retried.
/// </summary>
internal sealed class VodApiClient
{
    public const string ApiVersion = "2018-07-17";
    private const string ContentType = "application/json";
    private const int MaxResponseBytes = 4 << 20;

    private readonly HttpSender _sender;
    private readonly IVodCredentialProvider _credentials;
    private (VodCredential Credential, Tc3Signer Signer)? _signer;
    private readonly Uri _endpoint;
    private readonly string _host;
    private readonly bool _signAction;
    private readonly TimeProvider _time;
    private readonly TimeSpan _inactivity;

    public VodApiClient(HttpSender sender, IVodCredentialProvider credentials, Uri endpoint, bool signAction, TimeProvider time, TimeSpan inactivity)
    {
        _sender = sender;
        _credentials = credentials;
        _endpoint = endpoint;
        _host = endpoint.Authority;
        _signAction = signAction;
        _time = time;
        _inactivity = inactivity;
    }

    public Task<ApplyUploadResult> ApplyUploadAsync(string region, ApplyUploadBody body, CancellationToken cancellationToken) =>
        CallAsync("ApplyUpload", region, JsonSerializer.SerializeToUtf8Bytes(body, VodJsonContext.Default.ApplyUploadBody),
            VodJsonContext.Default.ApiEnvelopeApplyUploadResult, cancellationToken);

    /// <summary>CommitUpload; <paramref name="replyLost"/> hears of every attempt that may have been applied without its reply arriving.</summary>
    public Task<CommitUploadResult> CommitUploadAsync(string region, CommitUploadBody body, Action? replyLost, CancellationToken cancellationToken) =>
        CallAsync("CommitUpload", region, JsonSerializer.SerializeToUtf8Bytes(body, VodJsonContext.Default.CommitUploadBody),
            VodJsonContext.Default.ApiEnvelopeCommitUploadResult, cancellationToken, replyLost);

    public Task<ParseStreamingManifestResult> ParseStreamingManifestAsync(string region, ParseStreamingManifestBody body, CancellationToken cancellationToken) =>
        CallAsync("ParseStreamingManifest", region, JsonSerializer.SerializeToUtf8Bytes(body, VodJsonContext.Default.ParseStreamingManifestBody),
            VodJsonContext.Default.ApiEnvelopeParseStreamingManifestResult, cancellationToken);

    /// <summary>
    /// PullUpload. <paramref name="sending"/> hears of each attempt as it is built (so a cancel can say whether the request
    /// went out), <paramref name="replyLost"/> of each attempt that may have been applied without its reply arriving,
    /// and <paramref name="findBySessionId"/> settles a duplicate-SessionId refusal after a lost reply (RetryPolicy's Verify).
    /// </summary>
    public Task<PullUploadResult> PullUploadAsync(string region, PullUploadBody body, Action sending, Action replyLost,
        Func<AttemptFailure, CancellationToken, Task<Attempt<PullUploadResult>>> findBySessionId, CancellationToken cancellationToken) =>
        CallAsync("PullUpload", region, JsonSerializer.SerializeToUtf8Bytes(body, VodJsonContext.Default.PullUploadBody),
            VodJsonContext.Default.ApiEnvelopePullUploadResult, cancellationToken, replyLost, findBySessionId, sending);

    public Task<DescribeTaskDetailResult> DescribeTaskDetailAsync(string region, DescribeTaskDetailBody body, CancellationToken cancellationToken) =>
        CallAsync("DescribeTaskDetail", region, JsonSerializer.SerializeToUtf8Bytes(body, VodJsonContext.Default.DescribeTaskDetailBody),
            VodJsonContext.Default.ApiEnvelopeDescribeTaskDetailResult, cancellationToken);

    public Task<DescribeTasksResult> DescribeTasksAsync(string region, DescribeTasksBody body, CancellationToken cancellationToken) =>
        CallAsync("DescribeTasks", region, JsonSerializer.SerializeToUtf8Bytes(body, VodJsonContext.Default.DescribeTasksBody),
            VodJsonContext.Default.ApiEnvelopeDescribeTasksResult, cancellationToken);

    /// <summary>The signer for the provider's current credential (kept while the provider returns the same one).</summary>
    private async ValueTask<(VodCredential Credential, Tc3Signer Signer)> SignerAsync(CancellationToken cancellationToken)
    {
        var credential = await _credentials.GetCredentialAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The credential provider returned no credential.");
        if (_signer is { } cached && ReferenceEquals(cached.Credential, credential))
        {
            return cached;
        }

        var fresh = (credential, new Tc3Signer(credential));
        _signer = fresh;
        return fresh;
    }

    private async Task<T> CallAsync<T>(string action, string region, byte[] payload, JsonTypeInfo<ApiEnvelope<T>> typeInfo, CancellationToken cancellationToken,
        Action? replyLost = null, Func<AttemptFailure, CancellationToken, Task<Attempt<T>>>? confirm = null, Action? sending = null)
        where T : ApiResult
    {
        var (credential, signer) = await SignerAsync(cancellationToken).ConfigureAwait(false);
        return await _sender.SendAsync(new HttpCall<T>
        {
            Operation = OperationOf(action),
            Host = _host,
            Inactivity = _inactivity,
            CreateRequest = (_, _) =>
            {
                var request = CreateRequest(signer, credential.Token, action, region, payload);
                sending?.Invoke();
                return request;
            },
            OnReplyLost = replyLost,
            Confirm = confirm,
            RequestIdOf = static result => result.RequestId,
            ReadResponse = async (response, watchdog, ct) =>
            {
                var status = (int)response.StatusCode;
                if (status != 200)
                {
                    // A proxy page or a gateway error: the envelope never arrived.
                    return new AttemptFailure(FailureKind.ErrorResponse, ServiceErrorCodes.VodServerNetworkError, $"HTTP {status.ToString(CultureInfo.InvariantCulture)} from the VOD API")
                    {
                        Status = status,
                        RetryAfter = _sender.RetryAfterOf(response),
                    };
                }

                var bytes = await HttpSender.ReadBodyAsync(response, watchdog, MaxResponseBytes, ct).ConfigureAwait(false);
                if (bytes is null)
                {
                    return Invalid(status, "the response is larger than " + MaxResponseBytes.ToString(CultureInfo.InvariantCulture) + " bytes");
                }

                T? result;
                try
                {
                    result = JsonSerializer.Deserialize(bytes, typeInfo)?.Response;
                }
                catch (JsonException)
                {
                    return Invalid(status, "the body is not the API's JSON envelope");
                }

                if (result is null)
                {
                    return Invalid(status, "the envelope has no Response object");
                }

                if (result.Error is { } error)
                {
                    return new AttemptFailure(FailureKind.ErrorResponse, string.IsNullOrEmpty(error.Code) ? "UnknownError" : error.Code, error.Message ?? string.Empty)
                    {
                        Status = status,
                        RequestId = result.RequestId,
                    };
                }

                return Attempt<T>.Success(result);
            },
            CreateException = (failure, outcome) =>
            {
                var detail = failure.ReplyMayBeLost ? $"{failure.Detail} ({outcome.Host})" : failure.Detail;
                return new VodApiException(action, failure.Code, $"{detail}; {outcome.Reason}.", failure.Inner)
                {
                    Status = failure.Status,
                    RequestId = failure.RequestId,
                    Attempts = outcome.Attempts,
                    IsTransient = outcome.IsTransient,
                };
            },
        }, cancellationToken).ConfigureAwait(false);
    }

    private static AttemptFailure Invalid(int status, string detail) =>
        new(FailureKind.InvalidResponse, VodRawErrorCodes.InvalidResponse, detail) { Status = status };

    private static ServiceOperation OperationOf(string action) => action switch
    {
        "ApplyUpload" => ServiceOperation.ApplyUpload,
        "CommitUpload" => ServiceOperation.CommitUpload,
        "PullUpload" => ServiceOperation.PullUpload,
        "DescribeTaskDetail" => ServiceOperation.DescribeTaskDetail,
        "DescribeTasks" => ServiceOperation.DescribeTasks,
        _ => ServiceOperation.ParseStreamingManifest,
    };

    private HttpRequestMessage CreateRequest(Tc3Signer signer, string? token, string action, string region, byte[] payload)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var authorization = signer.Sign(new Tc3SigningInput
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
        foreach (var (name, value) in Tc3Headers.Build(authorization, ContentType, _host, action, ApiVersion, timestamp, region, token))
        {
            if (name is not ("Content-Type" or "Host"))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }
}
