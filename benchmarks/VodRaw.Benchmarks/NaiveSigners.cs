using System.Security.Cryptography;
using System.Text;

namespace VodRaw.Benchmarks;

/// <summary>
/// Deliberately straightforward signers (strings, LINQ, a new HMAC object per call), the way most hand-written
/// examples do it. They are the in-class baselines the real signers are measured against.
/// </summary>
internal static class NaiveSigners
{
    public static string SignCos(string secretId, string secretKey, string method, string path,
        IDictionary<string, string> parameters, IDictionary<string, string> headers, string keyTime)
    {
        using var keyMac = new HMACSHA1(Encoding.UTF8.GetBytes(secretKey));
        var signKey = ToHex(keyMac.ComputeHash(Encoding.UTF8.GetBytes(keyTime)));
        var p = parameters.Select(kv => (K: Encode(kv.Key).ToLowerInvariant(), V: Encode(kv.Value))).OrderBy(x => x.K, StringComparer.Ordinal).ToList();
        var h = headers.Select(kv => (K: Encode(kv.Key).ToLowerInvariant(), V: Encode(kv.Value))).OrderBy(x => x.K, StringComparer.Ordinal).ToList();
        var httpString = method.ToLowerInvariant() + "\n" + path + "\n"
            + string.Join("&", p.Select(x => x.K + "=" + x.V)) + "\n"
            + string.Join("&", h.Select(x => x.K + "=" + x.V)) + "\n";
        var stringToSign = "sha1\n" + keyTime + "\n" + ToHex(SHA1.Create().ComputeHash(Encoding.UTF8.GetBytes(httpString))) + "\n";
        using var sigMac = new HMACSHA1(Encoding.UTF8.GetBytes(signKey));
        var signature = ToHex(sigMac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
        return "q-sign-algorithm=sha1&q-ak=" + secretId + "&q-sign-time=" + keyTime + "&q-key-time=" + keyTime
            + "&q-header-list=" + string.Join(";", h.Select(x => x.K)) + "&q-url-param-list=" + string.Join(";", p.Select(x => x.K))
            + "&q-signature=" + signature;
    }

    public static string SignTc3(string secretId, string secretKey, string host, string contentType, string payload, long timestamp, string service)
    {
        var date = DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var canonical = "POST\n/\n\ncontent-type:" + contentType + "\nhost:" + host + "\n\ncontent-type;host\n"
            + ToHex(SHA256.Create().ComputeHash(Encoding.UTF8.GetBytes(payload)));
        var scope = date + "/" + service + "/tc3_request";
        var stringToSign = "TC3-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + ToHex(SHA256.Create().ComputeHash(Encoding.UTF8.GetBytes(canonical)));
        var kDate = Hmac(Encoding.UTF8.GetBytes("TC3" + secretKey), date);
        var kService = Hmac(kDate, service);
        var kSigning = Hmac(kService, "tc3_request");
        var signature = ToHex(Hmac(kSigning, stringToSign));
        return "TC3-HMAC-SHA256 Credential=" + secretId + "/" + scope + ", SignedHeaders=content-type;host, Signature=" + signature;
    }

    private static byte[] Hmac(byte[] key, string message)
    {
        using var mac = new HMACSHA256(key);
        return mac.ComputeHash(Encoding.UTF8.GetBytes(message));
    }

    private static string Encode(string s) => Uri.EscapeDataString(s).Replace("!", "%21").Replace("'", "%27").Replace("(", "%28").Replace(")", "%29").Replace("*", "%2A");

    private static string ToHex(byte[] bytes) => string.Concat(bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
