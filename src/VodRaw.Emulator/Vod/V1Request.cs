using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace VodRaw.Emulator.Vod;

/// <summary>
/// A v1-signed API request's parameters (query string, then a form body), and the action's own parameters as the
/// JSON object the TC3 path carries, so both signature versions reach the same handlers.
/// </summary>
internal static class V1Request
{
    private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "Action", "Version", "Region", "Timestamp", "Nonce", "SecretId", "Signature", "SignatureMethod", "Token", "Language", "RequestClient",
    };

    private static readonly HashSet<string> Integers = new(StringComparer.Ordinal) { "SubAppId", "ClassId" };

    public static Dictionary<string, string> Parameters(HttpRequest request, byte[] body)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Query)
        {
            parameters[name] = value.ToString();
        }

        if (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            foreach (var pair in Encoding.UTF8.GetString(body).Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Decode(eq < 0 ? pair : pair[..eq]);
                parameters[name] = eq < 0 ? string.Empty : Decode(pair[(eq + 1)..]);
            }
        }

        return parameters;
    }

    /// <summary>The action's parameters as a JSON object (integers for the integer fields that parse as one).</summary>
    public static byte[] ActionBody(IReadOnlyDictionary<string, string> parameters)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (name, value) in parameters)
            {
                if (Common.Contains(name))
                {
                    continue;
                }

                if (Integers.Contains(name) && long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n))
                {
                    w.WriteNumber(name, n);
                }
                else
                {
                    w.WriteString(name, value);
                }
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
