using System.Globalization;
using VodRaw.Signing;

namespace VodRaw.Cos;

/// <summary>
/// Builds and signs COS requests for one bucket: the signature covers host, content-length, content-type and
/// content-md5 when sent, the security token and every query parameter, and is made last, per attempt.
/// </summary>
internal sealed class CosRequestFactory(CosEndpoint endpoint, CosCredential credential, CredentialExpiryGuard guard, TimeProvider time)
{
    public string Host => endpoint.Host;

    /// <summary>A request for <paramref name="key"/> ("" for the bucket itself) with an already-built body.</summary>
    public HttpRequestMessage Create(HttpMethod method, string key, KeyValuePair<string, string>[] query, HttpContent content, string? contentType = null, string? contentMd5 = null)
    {
        var now = time.GetUtcNow();
        var length = content.Headers.ContentLength ?? 0;
        guard.EnsureCanFinish(now, length);
        Span<KeyValuePair<string, string>> headers = new KeyValuePair<string, string>[5];
        var count = 0;
        headers[count++] = new("host", endpoint.Host);
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

        if (credential.Token is not null)
        {
            headers[count++] = new("x-cos-security-token", credential.Token);
        }

        var authorization = credential.Signer.Sign(new CosSigningInput
        {
            Method = method.Method,
            Path = "/" + key,
            Parameters = query,
            Headers = headers[..count],
            KeyTime = credential.KeyTimeFor(now),
        });

        var request = new HttpRequestMessage(method, endpoint.ObjectUri(key, QueryString(query))) { Content = content };
        request.Headers.Host = endpoint.Host;
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (credential.Token is not null)
        {
            request.Headers.TryAddWithoutValidation("x-cos-security-token", credential.Token);
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
}
