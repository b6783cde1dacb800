using VodRaw.Manifests;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Manifests;

/// <summary>
/// Random, truncated and mutated inputs: the parsers either return references or throw ManifestFormatException,
/// never anything else, and never hang. Seeds are fixed, so a failure reproduces.
/// </summary>
public class ParserRobustnessTests
{
    public static TheoryData<string> Fixtures => ManifestFixture.Ids(hostile: false);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void EveryTruncationOfAFixtureParsesOrFailsWithAFormatError(string id)
    {
        var fixture = ManifestFixture.Get(id);
        var bytes = File.ReadAllBytes(fixture.SourceManifest);
        var parsed = 0;
        for (var length = 0; length <= bytes.Length; length++)
        {
            parsed += ParsesOrFormatError(bytes.AsSpan(0, length), fixture.Type) ? 1 : 0;
        }

        Assert.True(parsed > 0, "some prefix (at least the whole file) parses");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void MutatedFixturesParseOrFailWithAFormatError(string id)
    {
        var fixture = ManifestFixture.Get(id);
        var original = File.ReadAllBytes(fixture.SourceManifest);
        var random = new Random(id.Length * 7919);
        ReadOnlySpan<byte> interesting = "<>/\"'=$%&;#:,\r\n\0\uFEFF.-9"u8;
        for (var round = 0; round < 2000; round++)
        {
            var bytes = (byte[])original.Clone();
            for (var edits = random.Next(1, 5); edits > 0; edits--)
            {
                var at = random.Next(bytes.Length);
                bytes[at] = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
            }

            ParsesOrFormatError(bytes, fixture.Type);
        }
    }

    [Theory]
    [InlineData("m3u8")]
    [InlineData("mpd")]
    public void RandomBytesFailWithAFormatError(string type)
    {
        var random = new Random(type.Length);
        for (var round = 0; round < 2000; round++)
        {
            var bytes = new byte[random.Next(0, 512)];
            random.NextBytes(bytes);
            Assert.False(ParsesOrFormatError(bytes, type), "random bytes are neither a playlist nor an MPD");
        }
    }

    /// <summary>True when the input parsed; false on a format error; anything else fails the test.</summary>
    private static bool ParsesOrFormatError(ReadOnlySpan<byte> bytes, string type)
    {
        try
        {
            LocalManifestParser.Parse(bytes, type);
            return true;
        }
        catch (ManifestFormatException)
        {
            return false;
        }
    }
}
