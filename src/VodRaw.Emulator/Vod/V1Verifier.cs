using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VodRaw.Emulator.Vod;

/// <summary>
/// Checks a request signed the older way (signature v1, HmacSHA1 or HmacSHA256): every parameter travels in the query
/// or a form body, and <c>Signature</c> is base64(HMAC(SecretKey, method + host + path + "?" + the other parameters
/// sorted by name as <c>name=value</c> joined by <c>&amp;</c>, values not encoded)). Plain strings, written apart from the
/// library (which signs only TC3).
/// </summary>
internal static class V1Verifier
{
    /// <summary>The text a v1 signature covers.</summary>
    public static string StringToSign(string method, string host, string path, IReadOnlyDictionary<string, string> parameters)
    {
        var text = new StringBuilder(method.ToUpperInvariant()).Append(host).Append(path).Append('?');
        var first = true;
        foreach (var name in parameters.Keys.Where(k => k != "Signature").Order(StringComparer.Ordinal))
        {
            text.Append(first ? string.Empty : "&").Append(name).Append('=').Append(parameters[name]);
            first = false;
        }

        return text.ToString();
    }

    /// <summary>Null when the request is authentic, else the error code and message (with the string to sign on a mismatch, never a key).</summary>
    public static (string Code, string Message)? Verify(
        string method, string host, string path, IReadOnlyDictionary<string, string> parameters, DateTimeOffset now, Func<string, EmulatorCredential?> findCredential)
    {
        if (!parameters.TryGetValue("Signature", out var signature) || signature.Length == 0)
        {
            return ("AuthFailure.SignatureFailure", "The request has neither an Authorization header (TC3) nor a Signature parameter (v1).");
        }

        foreach (var required in new[] { "Action", "Version", "Timestamp", "Nonce", "SecretId" })
        {
            if (!parameters.TryGetValue(required, out var value) || value.Length == 0)
            {
                return ("MissingParameter", $"The v1 common parameter {required} is missing.");
            }
        }

        var credential = findCredential(parameters["SecretId"]);
        if (credential is null)
        {
            return ("AuthFailure.SecretIdNotFound", "The SecretId is not known.");
        }

        if (!long.TryParse(parameters["Timestamp"], NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return ("InvalidParameter", "Timestamp is not a number.");
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > Tc3Verifier.MaxSkewSeconds)
        {
            return ("AuthFailure.SignatureExpire", "The request timestamp is more than 300 seconds from the server time.");
        }

        var algorithm = parameters.GetValueOrDefault("SignatureMethod", "HmacSHA1");
        if (algorithm is not ("HmacSHA1" or "HmacSHA256"))
        {
            return ("InvalidParameterValue", $"SignatureMethod {algorithm} is not HmacSHA1 or HmacSHA256.");
        }

        if (credential.Token is not null && parameters.GetValueOrDefault("Token") != credential.Token)
        {
            return ("AuthFailure.TokenFailure", "The session token (Token) is missing or does not match the temporary credential.");
        }

        var stringToSign = StringToSign(method, host, path, parameters);
        var key = Encoding.UTF8.GetBytes(credential.SecretKey);
        var data = Encoding.UTF8.GetBytes(stringToSign);
        var expected = Convert.ToBase64String(algorithm == "HmacSHA1" ? HMACSHA1.HashData(key, data) : HMACSHA256.HashData(key, data));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return ("AuthFailure.SignatureFailure", $"The signature does not match the request. The emulator signed this string ({algorithm}): {stringToSign}");
        }

        return null;
    }
}
