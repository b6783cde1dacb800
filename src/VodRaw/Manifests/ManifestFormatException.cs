namespace VodRaw.Manifests;

/// <summary>
/// A manifest is not a playlist or MPD this library can read (malformed, too large, or using a construct it refuses,
/// such as a DTD). The only exception the manifest parsers throw for bad input; its message names the line.
/// </summary>
internal sealed class ManifestFormatException : FormatException
{
    public ManifestFormatException(string message, int line = 0, Exception? inner = null)
        : base(line > 0 ? $"line {line}: {message}" : message, inner)
    {
        Line = line;
    }

    /// <summary>The 1-based line where the problem was found, or 0 when it is not tied to a line.</summary>
    public int Line { get; }
}
