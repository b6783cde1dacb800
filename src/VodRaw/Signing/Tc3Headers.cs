using System.Globalization;

namespace VodRaw.Signing;

/// <summary>The header set of a TencentCloud API 3.0 request (X-TC-*), built once from the signed values.</summary>
internal static class Tc3Headers
{
    /// <summary>
    /// The headers to send with a signed request. Content-Type and Host must be the values that were signed.
    /// X-TC-Token is sent (unsigned) only for temporary credentials.
    /// </summary>
    public static KeyValuePair<string, string>[] Build(
        string authorization, string contentType, string host, string action, string version, long timestamp, string? region, string? token)
    {
        var count = 6 + (region is null ? 0 : 1) + (token is null ? 0 : 1);
        var headers = new KeyValuePair<string, string>[count];
        var i = 0;
        headers[i++] = new("Authorization", authorization);
        headers[i++] = new("Content-Type", contentType);
        headers[i++] = new("Host", host);
        headers[i++] = new("X-TC-Action", action);
        headers[i++] = new("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        headers[i++] = new("X-TC-Version", version);
        if (region is not null)
        {
            headers[i++] = new("X-TC-Region", region);
        }

        if (token is not null)
        {
            headers[i++] = new("X-TC-Token", token);
        }

        return headers;
    }
}
