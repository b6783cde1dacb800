using System.Text;

namespace VodRaw.Manifests;

/// <summary>
/// The path rule for files a manifest references: a relative path, inside the manifest's directory or below it.
/// No URL, no absolute path, no drive, no <c>..</c> segment — also after percent-decoding and with <c>\</c> read as a
/// separator. A valid reference is normalised to <c>/</c>-separated segments without <c>.</c>.
/// </summary>
internal static class ManifestReference
{
    /// <summary>Returns the normalised relative path, or null with the reason it breaks the rule.</summary>
    public static string? Normalize(string reference, out string? violation)
    {
        violation = null;
        if (string.IsNullOrWhiteSpace(reference))
        {
            violation = "is empty";
            return null;
        }

        if (HasScheme(reference))
        {
            violation = "is a URL; only relative paths can be uploaded";
            return null;
        }

        var decoded = PercentDecode(reference).Replace('\\', '/');
        if (decoded.Contains('\0', StringComparison.Ordinal))
        {
            violation = "contains a NUL character";
            return null;
        }

        if (decoded.StartsWith('/') || (decoded.Length >= 2 && decoded[1] == ':' && char.IsAsciiLetter(decoded[0])))
        {
            violation = "is an absolute path; only paths relative to the manifest's directory can be uploaded";
            return null;
        }

        var segments = new List<string>();
        foreach (var segment in decoded.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                violation = "leaves the manifest's directory (..)";
                return null;
            }

            segments.Add(segment);
        }

        if (segments.Count == 0)
        {
            violation = "names no file";
            return null;
        }

        return string.Join('/', segments);
    }

    /// <summary>Whether a reference names another manifest (recursed into).</summary>
    public static string? ManifestTypeOf(string path) =>
        path.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase) ? "m3u8"
        : path.EndsWith(".mpd", StringComparison.OrdinalIgnoreCase) ? "mpd"
        : null;

    /// <summary>Whether the reference starts with a URI scheme (<c>https:</c>, <c>skd:</c>, <c>data:</c>).</summary>
    public static bool HasScheme(string reference)
    {
        // RFC 3986 scheme ":" — but a Windows drive ("C:") is caught separately as an absolute path.
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon < 2)
        {
            return false;
        }

        for (var i = 0; i < colon; i++)
        {
            var c = reference[i];
            if (!(char.IsAsciiLetter(c) || (i > 0 && (char.IsAsciiDigit(c) || c is '+' or '-' or '.'))))
            {
                return false;
            }
        }

        return true;
    }

    private static string PercentDecode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length && Uri.IsHexDigit(value[i + 1]) && Uri.IsHexDigit(value[i + 2]))
            {
                bytes.Add((byte)Convert.ToInt32(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
