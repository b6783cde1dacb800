using VodRaw.Manifests;

namespace VodRaw.Tests.Manifests;

public class ManifestReferenceTests
{
    [Theory]
    [InlineData("seg1.ts", "seg1.ts")]
    [InlineData("gear1/prog_index.m3u8", "gear1/prog_index.m3u8")]
    [InlineData("gear4/test/fileSequence0.ts", "gear4/test/fileSequence0.ts")]
    [InlineData("./gear1//a.ts", "gear1/a.ts")]
    [InlineData("gear1\\a.ts", "gear1/a.ts")]
    [InlineData("中文 片段 1.ts", "中文 片段 1.ts")]
    [InlineData("a%20b.ts", "a b.ts")]
    [InlineData("dir.v2/seg:1.ts", "dir.v2/seg:1.ts")]
    public void AcceptsRelativePathsInsideTheDirectory(string reference, string normalized)
    {
        Assert.Equal(normalized, ManifestReference.Normalize(reference, out var violation));
        Assert.Null(violation);
    }

    [Theory]
    [InlineData("https://cdn.example.com/seg.ts", "URL")]
    [InlineData("skd://key", "URL")]
    [InlineData("data:text/plain,abc", "URL")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("C:\\secret.ts", "absolute")]
    [InlineData("\\\\server\\share\\x.ts", "absolute")]
    [InlineData("../secret.ts", "..")]
    [InlineData("gear1/../../secret.ts", "..")]
    [InlineData("..\\secret.ts", "..")]
    [InlineData("%2e%2e/secret.ts", "..")]
    [InlineData("%2E%2E%2Fsecret.ts", "..")]
    [InlineData("", "empty")]
    [InlineData("./", "no file")]
    public void RejectsEveryEscape(string reference, string reason)
    {
        Assert.Null(ManifestReference.Normalize(reference, out var violation));
        Assert.Contains(reason, violation, StringComparison.Ordinal);
    }
}
