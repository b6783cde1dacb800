using System.Globalization;

namespace VodRaw.Cli;

/// <summary>Parses sizes such as <c>8MiB</c>, <c>16M</c>, <c>1GiB</c>, <c>1048576</c> (binary units).</summary>
internal static class SizeParser
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim();
        var digits = 0;
        while (digits < s.Length && (char.IsAsciiDigit(s[digits]) || s[digits] == '.'))
        {
            digits++;
        }

        if (digits == 0 || !double.TryParse(s.AsSpan(0, digits), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        long multiplier = s[digits..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            _ => 0,
        };
        if (multiplier == 0)
        {
            return false;
        }

        bytes = (long)(value * multiplier);
        return true;
    }
}
