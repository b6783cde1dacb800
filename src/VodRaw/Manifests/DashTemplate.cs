using System.Globalization;
using System.Text;

namespace VodRaw.Manifests;

/// <summary>
/// Expands a DASH SegmentTemplate string (ISO/IEC 23009-1 §5.3.9.4.4): <c>$RepresentationID$</c>,
/// <c>$Bandwidth$</c>, <c>$Number$</c>, <c>$Time$</c>, each numeric one optionally with a <c>%0Nd</c> width, and
/// <c>$$</c> for a dollar sign. Anything else between dollars is a format error.
/// </summary>
internal static class DashTemplate
{
    private const int MaxWidth = 32;

    /// <summary>Whether the template varies per segment ($Number$ or $Time$).</summary>
    public static bool IsPerSegment(string template) =>
        template.Contains("$Number", StringComparison.Ordinal) || template.Contains("$Time", StringComparison.Ordinal);

    /// <exception cref="ManifestFormatException">An unknown identifier, an unterminated one, or one with no value here.</exception>
    public static string Expand(string template, string? representationId, long? bandwidth, long? number, long? time, int line)
    {
        if (!template.Contains('$', StringComparison.Ordinal))
        {
            return template;
        }

        var result = new StringBuilder(template.Length + 16);
        var i = 0;
        while (i < template.Length)
        {
            var dollar = template.IndexOf('$', i);
            if (dollar < 0)
            {
                result.Append(template, i, template.Length - i);
                break;
            }

            result.Append(template, i, dollar - i);
            var close = template.IndexOf('$', dollar + 1);
            if (close < 0)
            {
                throw new ManifestFormatException($"template \"{template}\" has an unterminated $identifier$", line);
            }

            var identifier = template.AsSpan(dollar + 1, close - dollar - 1);
            i = close + 1;
            if (identifier.IsEmpty)
            {
                result.Append('$');
                continue;
            }

            var percent = identifier.IndexOf('%');
            var name = percent < 0 ? identifier : identifier[..percent];
            var width = percent < 0 ? 1 : Width(identifier[percent..], template, line);
            if (name.SequenceEqual("RepresentationID"))
            {
                if (percent >= 0 || representationId is null)
                {
                    throw new ManifestFormatException($"template \"{template}\": $RepresentationID$ needs a Representation id and takes no format", line);
                }

                result.Append(representationId);
                continue;
            }

            long? value = name switch
            {
                "Number" => number,
                "Time" => time,
                "Bandwidth" => bandwidth,
                _ => throw new ManifestFormatException($"template \"{template}\" uses an unknown identifier ${identifier}$", line),
            };
            if (value is not { } v)
            {
                throw new ManifestFormatException($"template \"{template}\": ${name}$ has no value here", line);
            }

            result.Append(v.ToString("D" + width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }

        return result.ToString();
    }

    private static int Width(ReadOnlySpan<char> format, string template, int line)
    {
        // %0<width>d; the width is decimal and bounded.
        if (format.Length >= 4 && format[1] == '0' && format[^1] == 'd'
            && int.TryParse(format[2..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var width) && width is >= 1 and <= MaxWidth)
        {
            return width;
        }

        throw new ManifestFormatException($"template \"{template}\" has a format tag other than %0<width>d (width 1 to {MaxWidth})", line);
    }
}
