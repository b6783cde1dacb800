using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VodRaw.Emulator.Cos;

/// <summary>
/// Checks a COS q-sign Authorization from the request as received (raw query, header values, decoded path),
/// independently of the client's signer.
/// </summary>
internal static class CosSignatureVerifier
{
    /// <summary>The parsed Authorization fields.</summary>
    internal sealed record Fields(string AccessKey, long Start, long End, string[] HeaderList, string[] ParamList, string Signature, string KeyTime);

    public static (int Status, string Code, string Message)? Parse(string? authorization, out Fields? fields)
    {
        fields = null;
        if (string.IsNullOrEmpty(authorization))
        {
            return (403, "AccessDenied", "The request is not signed.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in authorization.Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                map[pair[..eq]] = pair[(eq + 1)..];
            }
        }

        if (!map.TryGetValue("q-sign-algorithm", out var algorithm) || algorithm != "sha1"
            || !map.TryGetValue("q-ak", out var ak) || !map.TryGetValue("q-sign-time", out var signTime)
            || !map.TryGetValue("q-key-time", out var keyTime) || !map.TryGetValue("q-header-list", out var headerList)
            || !map.TryGetValue("q-url-param-list", out var paramList) || !map.TryGetValue("q-signature", out var signature))
        {
            return (403, "AccessDenied", "The Authorization header is malformed.");
        }

        var semi = keyTime.IndexOf(';', StringComparison.Ordinal);
        if (signTime != keyTime || semi <= 0
            || !long.TryParse(keyTime.AsSpan(0, semi), NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(keyTime.AsSpan(semi + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var end))
        {
            return (403, "AccessDenied", "q-sign-time / q-key-time are malformed.");
        }

        fields = new Fields(ak, start, end, Split(headerList), Split(paramList), signature, keyTime);
        return null;

        static string[] Split(string list) => list.Length == 0 ? [] : list.Split(';');
    }

    /// <summary>Recomputes the signature; null when it matches.</summary>
    public static (int Status, string Code, string Message)? Verify(
        Fields fields, string secretKey, string method, string decodedPath,
        IReadOnlyDictionary<string, string> queryLowerCase, Func<string, string?> header)
    {
        var parameters = new List<(string Name, string Value)>();
        foreach (var name in fields.ParamList)
        {
            if (!queryLowerCase.TryGetValue(name, out var value))
            {
                return (403, "SignatureDoesNotMatch", $"Signed parameter {name} is not in the request.");
            }

            parameters.Add((name, value));
        }

        var headers = new List<(string Name, string Value)>();
        foreach (var name in fields.HeaderList)
        {
            var value = header(name);
            if (value is null)
            {
                return (403, "SignatureDoesNotMatch", $"Signed header {name} is not in the request.");
            }

            headers.Add((name, value));
        }

        var httpString = method.ToLowerInvariant() + "\n" + decodedPath + "\n" + Join(parameters) + "\n" + Join(headers) + "\n";
        var stringToSign = "sha1\n" + fields.KeyTime + "\n" + Hex.Lower(SHA1.HashData(Encoding.UTF8.GetBytes(httpString))) + "\n";
        var signKey = Hex.Lower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(fields.KeyTime)));
        var expected = Hex.Lower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(signKey), Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(fields.Signature)))
        {
            // As S3 does: say what was signed (values of token headers masked; never a key or a signature).
            var shown = httpString;
            foreach (var token in headers.Where(h => h.Name.Contains("token", StringComparison.OrdinalIgnoreCase)))
            {
                shown = shown.Replace(Join([token]), token.Name.ToLowerInvariant() + "=***", StringComparison.Ordinal);
            }

            return (403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. The emulator's HttpString was: "
                + shown.Replace("\n", "\\n", StringComparison.Ordinal) + " and its StringToSign: " + stringToSign.Replace("\n", "\\n", StringComparison.Ordinal));
        }

        return null;

        static string Join(List<(string Name, string Value)> items) => string.Join('&',
            items.Select(i => (Name: Encode(i.Name).ToLowerInvariant(), Value: Encode(i.Value)))
                .OrderBy(i => i.Name, StringComparer.Ordinal)
                .Select(i => i.Name + "=" + i.Value));
    }

    /// <summary>COS UrlEncode: every UTF-8 byte outside A-Z a-z 0-9 - _ . ~ as %XX.</summary>
    public static string Encode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>Percent-decodes a raw URL component as UTF-8 ('+' stays '+').</summary>
    public static string Decode(string raw)
    {
        if (!raw.Contains('%', StringComparison.Ordinal))
        {
            return raw;
        }

        var bytes = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '%' && i + 2 < raw.Length && byte.TryParse(raw.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(raw[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
