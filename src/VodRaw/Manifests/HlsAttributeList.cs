namespace VodRaw.Manifests;

/// <summary>
/// Reads one value out of an HLS attribute list (RFC 8216 §4.2): <c>NAME=value</c> pairs separated by commas, where a
/// value is a quoted string (which may hold commas) or a run of characters up to the next comma. Names are compared
/// exactly; whitespace around a pair is tolerated, as packagers emit it.
/// </summary>
internal static class HlsAttributeList
{
    /// <summary>Returns the value of <paramref name="name"/> (quotes removed), or null when the list lacks it.</summary>
    /// <exception cref="ManifestFormatException">The list is malformed (a pair without <c>=</c>, an unterminated quote).</exception>
    public static string? Find(ReadOnlySpan<char> list, string name, int line)
    {
        string? found = null;
        var i = 0;
        while (i < list.Length)
        {
            while (i < list.Length && list[i] is ' ' or '\t')
            {
                i++;
            }

            if (i == list.Length)
            {
                break;
            }

            var equals = list[i..].IndexOf('=');
            if (equals <= 0)
            {
                throw new ManifestFormatException($"attribute list has a pair without a name or '=': '{Excerpt(list[i..])}'", line);
            }

            var attribute = list.Slice(i, equals).Trim();
            i += equals + 1;
            while (i < list.Length && list[i] is ' ' or '\t')
            {
                i++;
            }

            ReadOnlySpan<char> value;
            if (i < list.Length && list[i] == '"')
            {
                var close = list[(i + 1)..].IndexOf('"');
                if (close < 0)
                {
                    throw new ManifestFormatException($"attribute {attribute} has an unterminated quoted string", line);
                }

                value = list.Slice(i + 1, close);
                i += close + 2;
                while (i < list.Length && list[i] is ' ' or '\t')
                {
                    i++;
                }

                if (i < list.Length && list[i] != ',')
                {
                    throw new ManifestFormatException($"attribute {attribute}: unexpected text after the quoted string", line);
                }
            }
            else
            {
                var comma = list[i..].IndexOf(',');
                value = (comma < 0 ? list[i..] : list.Slice(i, comma)).Trim();
                i += comma < 0 ? list.Length - i : comma;
            }

            i++; // the comma
            if (found is null && attribute.SequenceEqual(name))
            {
                found = value.ToString();
            }
        }

        return found;
    }

    private static string Excerpt(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");
}
