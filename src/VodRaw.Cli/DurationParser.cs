using System.Globalization;

namespace VodRaw.Cli;

/// <summary>
/// Parses durations as <c>--timeout</c> takes them: a number with a unit — <c>h</c>, <c>m</c> (minutes), <c>s</c>,
/// <c>ms</c> — or several in a row (<c>1h30m</c>); a bare number is seconds.
/// </summary>
internal static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TryAdd(ref duration, seconds, TimeSpan.TicksPerSecond);
        }

        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start || !long.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            var ticks = s[unitStart..i] switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" or "min" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                _ => 0,
            };
            if (ticks == 0 || !TryAdd(ref duration, n, ticks))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryAdd(ref TimeSpan duration, long count, long ticksPerUnit)
    {
        if (count > (TimeSpan.MaxValue.Ticks - duration.Ticks) / ticksPerUnit)
        {
            return false;
        }

        duration += TimeSpan.FromTicks(count * ticksPerUnit);
        return true;
    }
}
