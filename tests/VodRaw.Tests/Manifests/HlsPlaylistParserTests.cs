using System.Text;
using VodRaw.Manifests;

namespace VodRaw.Tests.Manifests;

public class HlsPlaylistParserTests
{
    private static IReadOnlyList<string> Parse(string text) => HlsPlaylistParser.Parse(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void ListsUriLinesAndTheUriOfEveryFileNamingTag()
    {
        var references = Parse("""
            #EXTM3U
            #EXT-X-MAP:URI="init.mp4",BYTERANGE="700@0"
            #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English, CC",URI="subs/en.m3u8"
            #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="iframes.m3u8"
            #EXT-X-SESSION-DATA:DATA-ID="com.example.title",URI="title.json"
            #EXT-X-PART:DURATION=1.0,URI="part1.mp4"
            #EXT-X-PRELOAD-HINT:TYPE=PART,URI="part2.mp4"
            #EXTINF:4.0,title with, commas
            seg0.ts
            """);
        Assert.Equal(["init.mp4", "subs/en.m3u8", "iframes.m3u8", "title.json", "part1.mp4", "part2.mp4", "seg0.ts"], references);
    }

    [Fact]
    public void ListsLocalKeyFilesButNotKeyServersOrUnencryptedRanges()
    {
        var references = Parse("""
            #EXTM3U
            #EXT-X-KEY:METHOD=AES-128,URI="keys/k1.key",IV=0x1
            #EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://asset-1",KEYFORMAT="com.apple.streamingkeydelivery"
            #EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.com/k2"
            #EXT-X-KEY:METHOD=NONE
            #EXT-X-SESSION-KEY:METHOD=AES-128,URI="keys/session.key"
            a.ts
            """);
        Assert.Equal(["keys/k1.key", "keys/session.key", "a.ts"], references);
    }

    [Fact]
    public void ListsAByteRangeFileOnceAndIgnoresCommentsAndUnknownTags()
    {
        var references = Parse("#EXTM3U\n# comment.ts\n#EXT-X-UNKNOWN:URI=\"x.ts\"\n#EXTINF:1,\n#EXT-X-BYTERANGE:10@0\nall.ts\n#EXTINF:1,\n#EXT-X-BYTERANGE:10\nall.ts\n");
        Assert.Equal(["all.ts"], references);
    }

    [Fact]
    public void ToleratesABomCrlfBlankLinesAndSurroundingWhitespace()
    {
        var bytes = "\uFEFF\r\n#EXTM3U\r\n\r\n#EXTINF:1,\r\n  a b.ts \t\r\n#EXT-X-MAP: URI = \"m.mp4\" \r\n"u8.ToArray();
        Assert.Equal(["a b.ts", "m.mp4"], HlsPlaylistParser.Parse(bytes));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("\n\n", "empty")]
    [InlineData("seg.ts\n", "#EXTM3U")]
    [InlineData("#EXTM3U8\nseg.ts\n", "#EXTM3U")]
    [InlineData("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\n", "unterminated")]
    [InlineData("#EXTM3U\n#EXT-X-MAP:URI\n", "without a name or '='")]
    [InlineData("#EXTM3U\n#EXT-X-MAP:URI=\"a\"b\n", "after the quoted string")]
    public void RefusesWhatIsNotAPlaylist(string text, string reason)
    {
        var error = Assert.Throws<ManifestFormatException>(() => Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesInvalidUtf8WithTheLineNumber()
    {
        var bytes = "#EXTM3U\nok.ts\n"u8.ToArray().Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();
        var error = Assert.Throws<ManifestFormatException>(() => HlsPlaylistParser.Parse(bytes));
        Assert.Equal(3, error.Line);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesALineLongerThanTheLimitWithoutDecodingIt()
    {
        var bytes = Encoding.ASCII.GetBytes("#EXTM3U\n" + new string('a', HlsPlaylistParser.MaxLineBytes + 1) + "\n");
        var error = Assert.Throws<ManifestFormatException>(() => HlsPlaylistParser.Parse(bytes));
        Assert.Equal(2, error.Line);
        Assert.Equal(["x.ts"], Parse("#EXTM3U\n" + "#" + new string('a', HlsPlaylistParser.MaxLineBytes - 1) + "\nx.ts"));
    }
}
