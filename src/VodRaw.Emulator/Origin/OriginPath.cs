using System.Text;

namespace VodRaw.Emulator.Origin;

/// <summary>
/// The origin's paths: an object's path is one or more non-empty segments joined by <c>/</c>, none of them <c>.</c> or
/// <c>..</c>, with no backslash and no control character. A request's path is split at its raw slashes first and each
/// segment percent-decoded once (UTF-8) after, so that an encoded slash or dot segment stays inside its segment, where
/// it is refused; Kestrel's own normalisation is not relied on.
/// </summary>
internal static class OriginPath
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The object path a caller gave (one leading slash allowed), checked.</summary>
    /// <exception cref="ArgumentException">It is not a valid object path.</exception>
    public static string Normalize(string path, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        var key = path.StartsWith('/') ? path[1..] : path;
        if (!IsValid(key))
        {
            throw new ArgumentException(
                $"'{path}' is not an origin path: it needs one or more non-empty segments separated by '/', none '.' or '..', with no backslash or control character.",
                parameterName);
        }

        return key;
    }

    /// <summary>The object path a raw request path (<c>/a/b%20c</c>, no query) asks for, or null when no object can have it.</summary>
    public static string? FromRequest(string rawPath)
    {
        if (!rawPath.StartsWith('/'))
        {
            return null;
        }

        var segments = rawPath[1..].Split('/');
        var decoded = new string[segments.Length];
        for (var i = 0; i < segments.Length; i++)
        {
            if (Decode(segments[i]) is not { } segment || segment.Contains('/', StringComparison.Ordinal))
            {
                return null;
            }

            decoded[i] = segment;
        }

        var key = string.Join('/', decoded);
        return IsValid(key) ? key : null;
    }

    /// <summary>The path as a relative URL: each segment percent-encoded but for RFC 3986's unreserved characters.</summary>
    public static string Escape(string key) => string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

    private static bool IsValid(string key)
    {
        if (key.Length == 0)
        {
            return false;
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or ".."
                || segment.Any(c => c == '\\' || char.IsControl(c)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Percent-decodes a segment once; null on a malformed escape or bytes that are not UTF-8.</summary>
    private static string? Decode(string segment)
    {
        if (!segment.Contains('%', StringComparison.Ordinal))
        {
            return segment;
        }

        var bytes = new List<byte>(segment.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (c == '%')
            {
                if (i + 2 >= segment.Length || !char.IsAsciiHexDigit(segment[i + 1]) || !char.IsAsciiHexDigit(segment[i + 2]))
                {
                    return null;
                }

                bytes.Add((byte)((HexValue(segment[i + 1]) << 4) | HexValue(segment[i + 2])));
                i += 2;
            }
            else if (char.IsSurrogate(c))
            {
                return null; // a raw request target is ASCII; Kestrel does not hand over surrogates
            }
            else
            {
                var n = new Rune(c).EncodeToUtf8(utf8);
                for (var j = 0; j < n; j++)
                {
                    bytes.Add(utf8[j]);
                }
            }
        }

        try
        {
            return StrictUtf8.GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }
}
