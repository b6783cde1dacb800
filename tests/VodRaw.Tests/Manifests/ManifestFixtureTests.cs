using VodRaw.Manifests;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Manifests;

/// <summary>The local parser and collector against every package fixture of spec/vectors/manifests.json.</summary>
public sealed class ManifestFixtureTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("vodraw-manifests-").FullName;

    public static TheoryData<string> Valid => ManifestFixture.Ids(hostile: false);

    public static TheoryData<string> Hostile => ManifestFixture.Ids(hostile: true);

    [Theory]
    [MemberData(nameof(Valid))]
    public void TheTopManifestParsesToTheExpectedReferences(string id)
    {
        var fixture = ManifestFixture.Get(id);
        var references = LocalManifestParser.Parse(File.ReadAllBytes(fixture.SourceManifest), fixture.Type);
        Assert.Equal(fixture.ExpectedParse, references);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public async Task TheWholePackageIsFoundRecursively(string id)
    {
        var fixture = ManifestFixture.Get(id);
        var manifest = fixture.Materialize(_temp);

        var files = await ManifestCollector.Local.CollectAsync(manifest, fixture.Type, CancellationToken.None);

        Assert.Equal(fixture.ExpectedFiles, files.Select(f => f.RelativePath).Order(StringComparer.Ordinal));
        var directory = Path.GetDirectoryName(manifest)!;
        Assert.All(files, f => Assert.Equal(Path.Combine(directory, f.RelativePath.Replace('/', Path.DirectorySeparatorChar)), f.FullPath));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task EveryViolationIsReportedTogether(string id)
    {
        var fixture = ManifestFixture.Get(id);
        var manifest = fixture.Materialize(_temp);

        var error = await Assert.ThrowsAsync<ManifestException>(() => ManifestCollector.Local.CollectAsync(manifest, fixture.Type, CancellationToken.None));

        Assert.Equal(fixture.ExpectedViolations.Count, error.Violations.Count);
        foreach (var expected in fixture.ExpectedViolations)
        {
            Assert.Contains(error.Violations, v => v.Contains(expected, StringComparison.Ordinal));
        }
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
