using System.Text;

namespace VodRaw.Cli;

/// <summary>
/// Text measured in terminal cells, not chars: an East Asian wide or fullwidth character (CJK, Hangul, kana,
/// fullwidth forms, most emoji) takes two cells, a combining mark none, anything else one.
/// </summary>
internal static class TerminalText
{
    /// <summary>One cell, in every terminal that shows it as narrow (East Asian "ambiguous" width).</summary>
    public const string Ellipsis = "…";

    public static int Cells(string text)
    {
        var cells = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            cells += Cells(rune);
        }

        return cells;
    }

    public static int Cells(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        if (category is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.EnclosingMark or System.Globalization.UnicodeCategory.Format)
        {
            return 0;
        }

        var c = rune.Value;
        var wide = c is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0x303E) or (>= 0x3041 and <= 0x33FF)
            or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xA000 and <= 0xA4CF)
            or (>= 0xAC00 and <= 0xD7A3) or (>= 0xF900 and <= 0xFAFF) or (>= 0xFE30 and <= 0xFE4F)
            or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x1F300 and <= 0x1F64F)
            or (>= 0x1F900 and <= 0x1F9FF) or (>= 0x20000 and <= 0x3FFFD);
        return wide ? 2 : 1;
    }

    /// <summary>The text cut to at most <paramref name="cells"/> cells, ending in an ellipsis when it was cut.</summary>
    public static string Ellipsize(string text, int cells)
    {
        if (Cells(text) <= cells)
        {
            return text;
        }

        var kept = new StringBuilder();
        var used = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var width = Cells(rune);
            if (used + width > cells - 1)
            {
                break;
            }

            kept.Append(rune.ToString());
            used += width;
        }

        return cells >= 1 ? kept + Ellipsis : string.Empty;
    }

    /// <summary>
    /// The text broken at spaces into lines of at most <paramref name="cells"/> cells. A word is never split: one longer
    /// than a line (a checkpoint id in a narrow terminal) gets a line of its own.
    /// </summary>
    public static string Wrap(string text, int cells)
    {
        var lines = new StringBuilder();
        var line = new StringBuilder();
        var used = 0;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var width = Cells(word);
            if (used > 0 && used + 1 + width > cells)
            {
                lines.Append(line).Append('\n');
                line.Clear();
                used = 0;
            }

            if (used > 0)
            {
                line.Append(' ');
                used++;
            }

            line.Append(word);
            used += width;
        }

        return lines.Append(line).ToString();
    }

    /// <summary>The terminal's width in cells, 80 when it cannot be read.</summary>
    public static int ConsoleWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
