using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VodRaw.Emulator.Vod;

/// <summary>
/// Checks a TC3-HMAC-SHA256 request the way the API gateway does, from the headers and body bytes as received.
/// Written independently of the client's signer (plain strings), so a client canonicalisation bug shows up here.
/// </summary>
internal static class Tc3Verifier
{
    public const int MaxSkewSeconds = 300;

    /// <summary>Returns null when the request is authentic, else the error code and message to answer.</summary>
    public static (string Code, string Message)? Verify(
        string method,
        string rawQuery,
        Func<string, string?> header,
        ReadOnlySpan<byte> body,
        DateTimeOffset now,
        Func<string, EmulatorCredential?> findCredential)
    {
        var authorization = header("Authorization");
        if (string.IsNullOrEmpty(authorization))
        {
            return ("AuthFailure.SignatureFailure", "The request has no Authorization header.");
        }

        const string prefix = "TC3-HMAC-SHA256 ";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
        {
            return ("AuthFailure.InvalidAuthorization", "Authorization does not use TC3-HMAC-SHA256.");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in authorization[prefix.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return ("AuthFailure.InvalidAuthorization", "Authorization is malformed.");
            }

            fields[part[..eq]] = part[(eq + 1)..];
        }

        if (!fields.TryGetValue("Credential", out var credentialField) || !fields.TryGetValue("SignedHeaders", out var signedHeaders)
            || !fields.TryGetValue("Signature", out var signature))
        {
            return ("AuthFailure.InvalidAuthorization", "Authorization lacks Credential, SignedHeaders or Signature.");
        }

        var scope = credentialField.Split('/');
        if (scope.Length != 4 || scope[3] != "tc3_request")
        {
            return ("AuthFailure.InvalidAuthorization", "Credential scope is malformed.");
        }

        var credential = findCredential(scope[0]);
        if (credential is null)
        {
            return ("AuthFailure.SecretIdNotFound", "The SecretId is not known.");
        }

        if (!long.TryParse(header("X-TC-Timestamp"), NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return ("MissingParameter", "X-TC-Timestamp is missing or not a number.");
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > MaxSkewSeconds)
        {
            return ("AuthFailure.SignatureExpire", "The request timestamp is more than 300 seconds from the server time.");
        }

        var date = DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (scope[1] != date)
        {
            return ("AuthFailure.SignatureFailure", "The credential scope date is not the UTC date of X-TC-Timestamp.");
        }

        if (scope[2] != "vod")
        {
            return ("AuthFailure.SignatureFailure", "The credential scope service is not vod.");
        }

        var names = signedHeaders.Split(';');
        if (!names.Contains("content-type") || !names.Contains("host") || names.Any(n => n != n.ToLowerInvariant()))
        {
            return ("AuthFailure.SignatureFailure", "SignedHeaders must be lower-case and include content-type and host.");
        }

        if (credential.Token is not null && header("X-TC-Token") != credential.Token)
        {
            return ("AuthFailure.TokenFailure", "The session token is missing or does not match the temporary credential.");
        }

        var canonicalHeaders = new StringBuilder();
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            var value = header(name);
            if (value is null)
            {
                return ("AuthFailure.SignatureFailure", $"Signed header {name} is not in the request.");
            }

            canonicalHeaders.Append(name).Append(':').Append(value.Trim().ToLowerInvariant()).Append('\n');
        }

        var canonicalRequest = string.Join('\n',
            method.ToUpperInvariant(),
            "/",
            rawQuery,
            canonicalHeaders.ToString(),
            string.Join(';', names.Order(StringComparer.Ordinal)),
            Hex.Lower(SHA256.HashData(body)));
        var stringToSign = $"TC3-HMAC-SHA256\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{date}/vod/tc3_request\n"
            + Hex.Lower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        var kDate = HMACSHA256.HashData(Encoding.UTF8.GetBytes("TC3" + credential.SecretKey), Encoding.UTF8.GetBytes(date));
        var kService = HMACSHA256.HashData(kDate, "vod"u8);
        var kSigning = HMACSHA256.HashData(kService, "tc3_request"u8);
        var expected = Hex.Lower(HMACSHA256.HashData(kSigning, Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            // Say what was signed (token headers masked; never a key or a signature), so a client's own bug shows.
            var shown = canonicalRequest;
            foreach (var name in names.Where(n => n.Contains("token", StringComparison.Ordinal)))
            {
                shown = shown.Replace(name + ":" + (header(name) ?? string.Empty).Trim().ToLowerInvariant(), name + ":***", StringComparison.Ordinal);
            }

            return ("AuthFailure.SignatureFailure", "The signature does not match the request. The emulator's canonical request was: "
                + shown.Replace("\n", "\\n", StringComparison.Ordinal) + " and its string to sign: " + stringToSign.Replace("\n", "\\n", StringComparison.Ordinal));
        }

        return null;
    }
}
