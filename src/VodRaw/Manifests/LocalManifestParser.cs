namespace VodRaw.Manifests;

/// <summary>The local replacement for VOD's ParseStreamingManifest: the references of an m3u8 or mpd manifest.</summary>
internal static class LocalManifestParser
{
    /// <param name="content">The manifest's bytes (UTF-8; a BOM is tolerated).</param>
    /// <param name="manifestType"><c>m3u8</c> or <c>mpd</c>.</param>
    /// <exception cref="ManifestFormatException">The manifest cannot be read.</exception>
    public static IReadOnlyList<string> Parse(ReadOnlySpan<byte> content, string manifestType) => manifestType switch
    {
        "m3u8" => HlsPlaylistParser.Parse(content),
        "mpd" => DashManifestParser.Parse(content),
        _ => throw new ArgumentOutOfRangeException(nameof(manifestType), manifestType, "m3u8 or mpd"),
    };
}
