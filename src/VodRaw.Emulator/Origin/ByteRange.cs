using System.Globalization;

namespace VodRaw.Emulator.Origin;

/// <summary>
/// What a <c>Range</c> header asks of an object of a given length (RFC 9110 §14.1.2, one range only). A request the
/// origin does not serve as a range is answered whole, as many servers do: a multi-range set (no
/// <c>multipart/byteranges</c> here), a unit other than <c>bytes</c>, a malformed spec, a last position before the
/// first, or a suffix range of an empty object.
/// </summary>
internal readonly record struct ByteRange(ByteRange.Outcome Kind, long Start, long Length)
{
    private const string Unit = "bytes=";

    /// <summary>How the request is answered.</summary>
    public enum Outcome
    {
        /// <summary>200 with the whole object (no Range, or one that is ignored).</summary>
        Whole,

        /// <summary>206 with <see cref="Start"/> and <see cref="Length"/>.</summary>
        Partial,

        /// <summary>416 with <c>Content-Range: bytes */length</c>.</summary>
        Unsatisfiable,
    }

    /// <summary>The last byte's position (for Content-Range).</summary>
    public long End => Start + Length - 1;

    public static ByteRange Whole(long total) => new(Outcome.Whole, 0, total);

    public static ByteRange Parse(string? header, long total)
    {
        if (header is null || !header.StartsWith(Unit, StringComparison.OrdinalIgnoreCase))
        {
            return Whole(total);
        }

        var spec = header.AsSpan(Unit.Length).Trim(" \t");
        var dash = spec.IndexOf('-');
        if (spec.Contains(',') || dash < 0)
        {
            return Whole(total);
        }

        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.IsEmpty)
        {
            // bytes=-n: the last n bytes.
            if (Number(last) is not { } suffix)
            {
                return Whole(total);
            }

            if (suffix == 0)
            {
                return new(Outcome.Unsatisfiable, 0, 0);
            }

            return total == 0 ? Whole(total) : new(Outcome.Partial, total - Math.Min(suffix, total), Math.Min(suffix, total));
        }

        if (Number(first) is not { } start)
        {
            return Whole(total);
        }

        long end;
        if (last.IsEmpty)
        {
            end = long.MaxValue; // bytes=a-: to the end
        }
        else if (Number(last) is { } given)
        {
            end = given;
        }
        else
        {
            return Whole(total);
        }

        if (end < start)
        {
            return Whole(total);
        }

        if (start >= total)
        {
            return new(Outcome.Unsatisfiable, 0, 0);
        }

        end = Math.Min(end, total - 1);
        return new(Outcome.Partial, start, end - start + 1);
    }

    /// <summary>A run of ASCII digits as a number (long.MaxValue when it overflows: past any object), or null.</summary>
    private static long? Number(ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty || digits.ContainsAnyExcept("0123456789"))
        {
            return null;
        }

        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : long.MaxValue;
    }
}
