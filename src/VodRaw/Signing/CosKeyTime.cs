using System.Globalization;

namespace VodRaw.Signing;

/// <summary>The validity window of a COS signature (<c>q-sign-time</c> and <c>q-key-time</c>), Unix seconds.</summary>
internal readonly record struct CosKeyTime(long Start, long End)
{
    /// <summary>Parses <c>start;end</c>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out CosKeyTime keyTime)
    {
        keyTime = default;
        var semi = text.IndexOf(';');
        if (semi <= 0
            || !long.TryParse(text[..semi], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(text[(semi + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end))
        {
            return false;
        }

        keyTime = new CosKeyTime(start, end);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start};{End}");
}
