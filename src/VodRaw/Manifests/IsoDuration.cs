using System.Globalization;

namespace VodRaw.Manifests;

/// <summary>
/// Reads an xs:duration as DASH uses it (<c>PT1H2M3.5S</c>, <c>P1DT0.5S</c>) into seconds. Years and months are
/// refused unless zero (their length is ambiguous, and a segment count must be exact); negative durations are refused.
/// </summary>
internal static class IsoDuration
{
    /// <exception cref="ManifestFormatException">The value is not a duration this reader accepts.</exception>
    public static decimal Parse(string value, string attribute, int line)
    {
        var s = value.AsSpan().Trim();
        if (s.Length < 2 || s[0] != 'P')
        {
            throw Invalid(value, attribute, line);
        }

        decimal seconds = 0;
        var inTime = false;
        var any = false;
        var i = 1;
        while (i < s.Length)
        {
            if (s[i] == 'T')
            {
                if (inTime)
                {
                    throw Invalid(value, attribute, line);
                }

                inTime = true;
                i++;
                continue;
            }

            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || i == s.Length
                || !decimal.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                throw Invalid(value, attribute, line);
            }

            var fractional = s[start..i].Contains('.');
            var unit = s[i++];
            try
            {
                seconds += (inTime, unit) switch
                {
                    (false, 'Y') or (false, 'M') when n == 0 && !fractional => 0,
                    (false, 'Y') or (false, 'M') => throw new ManifestFormatException($"{attribute}=\"{value}\": years and months have no exact length; use days", line),
                    (false, 'D') when !fractional => n * 86400,
                    (true, 'H') when !fractional => n * 3600,
                    (true, 'M') when !fractional => n * 60,
                    (true, 'S') => n,
                    _ => throw Invalid(value, attribute, line),
                };
            }
            catch (OverflowException)
            {
                throw Invalid(value, attribute, line);
            }

            any = true;
        }

        return any ? seconds : throw Invalid(value, attribute, line);
    }

    private static ManifestFormatException Invalid(string value, string attribute, int line) =>
        new($"{attribute}=\"{value}\" is not an ISO 8601 duration (PnDTnHnMnS)", line);
}
