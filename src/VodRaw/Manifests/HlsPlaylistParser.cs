using System.Text;

namespace VodRaw.Manifests;

/// <summary>
/// Lists the files an HLS playlist (master or media, RFC 8216) references, in order of first appearance, each once:
/// URI lines (segments, variant playlists) and the URI attribute of the tags that name files. Pure: bytes in, list out.
/// See spec/hls.md for the subset and what is ignored on purpose.
/// </summary>
internal static class HlsPlaylistParser
{
    /// <summary>Lines longer than this (in bytes) are refused; no legitimate playlist line comes near it.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Tags whose URI attribute names a file to upload.</summary>
    private static readonly string[] UriTags =
    [
        "EXT-X-MAP", "EXT-X-MEDIA", "EXT-X-I-FRAME-STREAM-INF", "EXT-X-SESSION-DATA", "EXT-X-PART", "EXT-X-PRELOAD-HINT",
    ];

    /// <summary>Key tags: their URI is a local key file, or a key server (any URL), which is not uploaded.</summary>
    private static readonly string[] KeyTags = ["EXT-X-KEY", "EXT-X-SESSION-KEY"];

    /// <exception cref="ManifestFormatException">The bytes are not an HLS playlist this parser accepts.</exception>
    public static IReadOnlyList<string> Parse(ReadOnlySpan<byte> content)
    {
        var references = new ReferenceSet();
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }

        var lineNumber = 0;
        var sawHeader = false;
        while (!content.IsEmpty)
        {
            lineNumber++;
            var newline = content.IndexOf((byte)'\n');
            var raw = newline < 0 ? content : content[..newline];
            content = newline < 0 ? default : content[(newline + 1)..];
            if (raw.Length > MaxLineBytes)
            {
                throw new ManifestFormatException($"the line is {raw.Length} bytes long; at most {MaxLineBytes} are accepted", lineNumber);
            }

            string text;
            try
            {
                text = StrictUtf8.GetString(raw);
            }
            catch (DecoderFallbackException e)
            {
                throw new ManifestFormatException("the line is not valid UTF-8", lineNumber, e);
            }

            var line = text.AsSpan().Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            if (!sawHeader)
            {
                if (!line.SequenceEqual("#EXTM3U"))
                {
                    throw new ManifestFormatException("an HLS playlist starts with #EXTM3U", lineNumber);
                }

                sawHeader = true;
                continue;
            }

            if (line[0] != '#')
            {
                references.Add(line.ToString());
                continue;
            }

            if (!line.StartsWith("#EXT", StringComparison.Ordinal))
            {
                continue; // a comment
            }

            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue; // a tag without attributes names no file
            }

            var tag = line[1..colon];
            var attributes = line[(colon + 1)..];
            if (Contains(UriTags, tag))
            {
                if (HlsAttributeList.Find(attributes, "URI", lineNumber) is { } uri)
                {
                    references.Add(uri);
                }
            }
            else if (Contains(KeyTags, tag))
            {
                var method = HlsAttributeList.Find(attributes, "METHOD", lineNumber);
                var uri = HlsAttributeList.Find(attributes, "URI", lineNumber);
                if (method is not "NONE" && uri is not null && !ManifestReference.HasScheme(uri))
                {
                    references.Add(uri);
                }
            }
        }

        if (!sawHeader)
        {
            throw new ManifestFormatException("the playlist is empty; an HLS playlist starts with #EXTM3U");
        }

        return references.ToList();
    }

    private static bool Contains(string[] tags, ReadOnlySpan<char> tag)
    {
        foreach (var t in tags)
        {
            if (tag.SequenceEqual(t))
            {
                return true;
            }
        }

        return false;
    }
}
