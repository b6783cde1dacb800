using System.Text;

namespace VodRaw.Signing;

/// <summary>
/// Percent-encoding as COS defines it: UTF-8 bytes, every byte except <c>A-Z a-z 0-9 - _ . ~</c> written as <c>%XX</c>
/// with upper-case hex (space is <c>%20</c>, never <c>+</c>). Used for signed names and values, query strings and,
/// keeping <c>/</c>, for object keys in request paths.
/// </summary>
internal static class CosEncoding
{
    private static ReadOnlySpan<byte> UpperHex => "0123456789ABCDEF"u8;

    /// <summary>The most bytes <see cref="Encode"/> can write for <paramref name="chars"/> UTF-16 characters.</summary>
    public static int MaxEncodedLength(int chars) => checked(chars * 9);

    public static bool IsUnreserved(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    /// <summary>Encodes <paramref name="value"/>; with <paramref name="lowerCase"/> the whole result is lower-cased (signed names).</summary>
    public static void Encode(ReadOnlySpan<char> value, ref SpanWriter writer, bool lowerCase, bool keepSlash = false)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x80)
            {
                // ASCII fast path: most names and values are ASCII.
                EncodeByte((byte)c, ref writer, lowerCase, keepSlash);
                continue;
            }

            if (Rune.DecodeFromUtf16(value[i..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
            }

            i += Math.Max(consumed, 1) - 1;
            var n = rune.EncodeToUtf8(utf8);
            for (var j = 0; j < n; j++)
            {
                EncodeByte(utf8[j], ref writer, lowerCase, keepSlash);
            }
        }
    }

    private static void EncodeByte(byte b, ref SpanWriter writer, bool lowerCase, bool keepSlash)
    {
        if (IsUnreserved(b) || (keepSlash && b == (byte)'/'))
        {
            writer.Write(lowerCase && b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b);
            return;
        }

        var hex = lowerCase ? "0123456789abcdef"u8 : UpperHex;
        writer.Write((byte)'%');
        writer.Write(hex[b >> 4]);
        writer.Write(hex[b & 0xF]);
    }

    /// <summary>The COS encoding of one query component (name or value) as a string.</summary>
    public static string EncodeComponent(string value) => EncodeToString(value, keepSlash: false);

    /// <summary>
    /// The request-line path for an object key: <c>/</c> followed by the key encoded with <c>/</c> kept, and every
    /// <c>./</c> written as <c>.%2F</c> so no HTTP stack can treat it as a dot segment.
    /// </summary>
    public static string EncodeObjectPath(string key)
    {
        var encoded = EncodeToString(key.StartsWith('/') ? key[1..] : key, keepSlash: true);
        return "/" + encoded.Replace("./", ".%2F", StringComparison.Ordinal);
    }

    private static string EncodeToString(string value, bool keepSlash)
    {
        var max = MaxEncodedLength(value.Length);
        var buffer = max <= 1024 ? stackalloc byte[max] : new byte[max];
        var w = new SpanWriter(buffer);
        Encode(value, ref w, lowerCase: false, keepSlash);
        return Encoding.ASCII.GetString(w.Written);
    }
}
