namespace VodRaw;

/// <summary>Lower-case hexadecimal encoding into caller-provided buffers (no allocation).</summary>
internal static class Hex
{
    private static ReadOnlySpan<byte> Digits => "0123456789abcdef"u8;

    /// <summary>Writes <paramref name="source"/> as lower-case hex; <paramref name="destination"/> must be twice as long.</summary>
    public static void EncodeLower(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < source.Length * 2)
        {
            throw new ArgumentException("Destination too small.", nameof(destination));
        }

        var digits = Digits;
        for (var i = 0; i < source.Length; i++)
        {
            var b = source[i];
            destination[2 * i] = digits[b >> 4];
            destination[(2 * i) + 1] = digits[b & 0xF];
        }
    }

    /// <summary>Lower-case hex as a string (for diagnostics and tests, not hot paths).</summary>
    public static string ToLowerString(ReadOnlySpan<byte> source) => Convert.ToHexString(source).ToLowerInvariant();
}
