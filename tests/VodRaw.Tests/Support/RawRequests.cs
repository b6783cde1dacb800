using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using VodRaw.Emulator;
using VodRaw.Signing;

namespace VodRaw.Tests.Support;

/// <summary>
/// Hand-built, signed requests to the emulator, for testing the emulator itself (the upload client has its own
/// tests). Each send can tamper with the request after signing.
/// </summary>
internal sealed class RawRequests(VodEmulator emulator, TimeProvider? time = null) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<(HttpResponseMessage Response, JsonElement Body)> VodAsync(
        string action,
        string json,
        EmulatorCredential? credential = null,
        Action<HttpRequestMessage>? tamper = null,
        long? timestamp = null,
        bool signAction = false,
        string? region = "ap-guangzhou",
        bool sendToken = true)
    {
        credential ??= emulator.Credential;
        var body = Encoding.UTF8.GetBytes(json);
        var host = emulator.VodEndpoint.Authority;
        var ts = timestamp ?? _time.GetUtcNow().ToUnixTimeSeconds();
        var signer = new Tc3Signer(new VodCredential(credential.SecretId, credential.SecretKey, credential.Token));
        var authorization = signer.Sign(new Tc3SigningInput
        {
            Service = "vod", Host = host, ContentType = "application/json", Payload = body, Timestamp = ts, Action = action, SignAction = signAction,
        });
        var request = new HttpRequestMessage(HttpMethod.Post, emulator.VodEndpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in Tc3Headers.Build(authorization, "application/json", host, action, "2018-07-17", ts, region, sendToken ? credential.Token : null))
        {
            if (name is not ("Content-Type" or "Host"))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        tamper?.Invoke(request);
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var parsed = text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response, parsed);
    }

    public async Task<HttpResponseMessage> CosAsync(
        HttpMethod method,
        string bucket,
        string key,
        EmulatorCredential credential,
        byte[]? body = null,
        IEnumerable<KeyValuePair<string, string>>? query = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        Action<HttpRequestMessage>? tamper = null,
        CosKeyTime? keyTime = null,
        bool virtualHost = false,
        bool viaProxy = false,
        bool chunked = false,
        bool expectContinue = false)
    {
        virtualHost |= viaProxy;
        var parameters = (query ?? []).ToArray();
        var host = virtualHost ? $"{bucket}.cos.ap-guangzhou.myqcloud.com" : emulator.CosEndpoint.Authority;
        var signed = new List<KeyValuePair<string, string>> { new("Host", host) };
        if (body is not null && !chunked)
        {
            signed.Add(new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (credential.Token is not null)
        {
            signed.Add(new("x-cos-security-token", credential.Token));
        }

        signed.AddRange(headers ?? []);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var signer = new CosSigner(credential.SecretId, credential.SecretKey);
        var authorization = signer.Sign(new CosSigningInput
        {
            Method = method.Method, Path = "/" + key, Parameters = parameters, Headers = signed.ToArray(), KeyTime = keyTime ?? new CosKeyTime(now - 60, now + 3600),
        });

        var queryString = string.Join('&', parameters.Select(p => p.Value.Length == 0 && p.Key == "uploads" ? "uploads" : CosEncoding.EncodeComponent(p.Key) + "=" + CosEncoding.EncodeComponent(p.Value)));
        var origin = viaProxy ? "http://" + host : emulator.CosEndpoint.ToString().TrimEnd('/');
        var uri = new Uri($"{origin}{(virtualHost ? string.Empty : "/" + bucket)}{CosEncoding.EncodeObjectPath(key)}{(queryString.Length > 0 ? "?" + queryString : string.Empty)}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            // Chunked: a stream of unknown length, so the handler sends Transfer-Encoding: chunked, no Content-Length.
            request.Content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
            request.Headers.TransferEncodingChunked = chunked ? true : null;
        }

        request.Headers.ExpectContinue = expectContinue ? true : null;

        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (virtualHost)
        {
            request.Headers.Host = host;
        }

        foreach (var (name, value) in signed)
        {
            if (name is "Host" or "Content-Length")
            {
                continue;
            }

            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content!.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        tamper?.Invoke(request);
        if (viaProxy)
        {
            // The emulator as the HTTP proxy: the request line carries the absolute URL (as cos-nodejs-sdk-v5 sends it).
            using var proxied = new HttpClient(new SocketsHttpHandler { Proxy = new System.Net.WebProxy(emulator.CosEndpoint), UseProxy = true });
            return await proxied.SendAsync(request);
        }

        return await _http.SendAsync(request);
    }

    /// <summary>ApplyUpload with the permanent key; returns the Response object.</summary>
    public async Task<JsonElement> ApplyAsync(string json = "{\"MediaType\":\"mp4\"}")
    {
        var (_, body) = await VodAsync("ApplyUpload", json);
        var response = body.GetProperty("Response");
        Assert.False(response.TryGetProperty("Error", out var error), error.ToString());
        return response;
    }

    /// <summary>ApplyUpload, then what a COS test needs from it: the temporary credential, bucket and session directory.</summary>
    public async Task<CosSession> OpenSessionAsync()
    {
        var apply = await ApplyAsync();
        var media = apply.GetProperty("MediaStoragePath").GetString()![1..];
        return new CosSession(apply, TempCredentialOf(apply), apply.GetProperty("StorageBucket").GetString()!, media[..(media.LastIndexOf('/') + 1)]);
    }

    public static EmulatorCredential TempCredentialOf(JsonElement apply)
    {
        var c = apply.GetProperty("TempCertificate");
        return new EmulatorCredential(c.GetProperty("SecretId").GetString()!, c.GetProperty("SecretKey").GetString()!, c.GetProperty("Token").GetString());
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An ApplyUpload's session as COS tests use it.</summary>
/// <param name="Apply">The ApplyUpload Response object.</param>
/// <param name="Credential">Its temporary credential.</param>
/// <param name="Bucket">Its bucket.</param>
/// <param name="Directory">The session's directory in the bucket, with a trailing slash.</param>
internal sealed record CosSession(JsonElement Apply, EmulatorCredential Credential, string Bucket, string Directory);
