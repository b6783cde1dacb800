using System.Globalization;

namespace VodRaw.Cli;

/// <summary>
/// Parses sizes. One rule: <c>K</c>/<c>KiB</c>, <c>M</c>/<c>MiB</c>, <c>G</c>/<c>GiB</c> are binary (1024ⁿ);
/// <c>KB</c>, <c>MB</c>, <c>GB</c> are decimal (1000ⁿ), so <c>8MB</c> is 8,000,000 bytes, never silently 8 MiB.
/// A bare number is bytes.
/// </summary>
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

        long multiplier = s[digits..].Trim() switch
        {
            "" or "B" => 1,
            "K" or "KiB" or "k" => 1L << 10,
            "M" or "MiB" => 1L << 20,
            "G" or "GiB" => 1L << 30,
            "KB" or "kB" => 1000,
            "MB" => 1000 * 1000,
            "GB" => 1000 * 1000 * 1000,
            _ => 0,
        };
        var product = value * multiplier;
        if (multiplier == 0 || product > long.MaxValue || product != Math.Floor(product))
        {
            return false;
        }

        bytes = (long)product;
        return true;
    }
}
