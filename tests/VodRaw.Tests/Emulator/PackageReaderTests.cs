using System.Text.RegularExpressions;
using VodRaw.Emulator;
using VodRaw.Manifests;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

/// <summary>
/// The emulator's own manifest reader (what ParseStreamingManifest answers and CommitUpload checks) against the
/// spec's manifest vectors, and against the library's parser on the same bytes: two readers written apart.
/// </summary>
public partial class PackageReaderTests
{
    public static TheoryData<string> Packages => ManifestFixture.Ids(hostile: false);

    public static TheoryData<string> Hostile => ManifestFixture.Ids(hostile: true);

    [Theory]
    [MemberData(nameof(Packages))]
    public void ReadsEachTopManifestAsTheVectorSays(string id)
    {
        var fixture = ManifestFixture.Get(id);
        var bytes = File.ReadAllBytes(fixture.SourceManifest);
        var read = PackageReader.Read(bytes, fixture.Type);
        Assert.Equal(fixture.ExpectedParse, read);
        Assert.Equal(LocalManifestParser.Parse(bytes, fixture.Type), read);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void ReadsEveryNestedManifestOfThePackageAsTheLibraryDoes(string id)
    {
        var fixture = ManifestFixture.Get(id);
        var root = Path.GetDirectoryName(fixture.SourceManifest)!;
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(p => p.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".mpd", StringComparison.OrdinalIgnoreCase)))
        {
            var type = path.EndsWith(".mpd", StringComparison.OrdinalIgnoreCase) ? "mpd" : "m3u8";
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(LocalManifestParser.Parse(bytes, type), PackageReader.Read(bytes, type));
        }
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void RefusesWhatEachHostileVectorNames(string id)
    {
        var fixture = ManifestFixture.Get(id);
        if (fixture.Vector.TryGetProperty("setup", out _))
        {
            return; // symbolic links and a generated 100 MB line: the client's file checks, not a reading of bytes
        }

        var bytes = File.ReadAllBytes(fixture.SourceManifest);
        if (fixture.ExpectedViolations.Any(v => v.StartsWith("cannot be read", StringComparison.Ordinal)))
        {
            Assert.Throws<FormatException>(() => PackageReader.Read(bytes, fixture.Type));
            return;
        }

        var read = PackageReader.Read(bytes, fixture.Type);
        foreach (var violation in fixture.ExpectedViolations)
        {
            var quoted = Quoted().Match(violation).Groups[1].Value;
            if (violation.Contains("does not exist", StringComparison.Ordinal))
            {
                Assert.NotNull(PackageReader.Normalize(quoted, out _)); // a valid path: the commit check finds it missing
                continue;
            }

            Assert.Contains(quoted, read);
            Assert.Null(PackageReader.Normalize(quoted, out var why));
            Assert.Null(ManifestReference.Normalize(quoted, out _));
            Assert.False(string.IsNullOrEmpty(why));
        }
    }

    [GeneratedRegex("^'([^']*)'")]
    private static partial Regex Quoted();
}
