using System.Text.RegularExpressions;

namespace VodRaw.Tests.Cli;

/// <summary>README.md quotes the compiled examples verbatim, so what it shows always builds.</summary>
public partial class ReadmeExamplesTests
{
    [Fact]
    public void EveryExampleRegionIsQuotedVerbatimInTheReadme()
    {
        var code = File.ReadAllText(Path.Combine(Support.RepositoryRoot.Path, "samples", "Examples", "Examples.cs"));
        var readme = File.ReadAllText(Path.Combine(Support.RepositoryRoot.Path, "README.md"));
        var regions = Region().Matches(code);
        Assert.True(regions.Count >= 9);
        foreach (Match region in regions)
        {
            var lines = region.Groups["body"].Value.Split('\n');
            var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            var dedented = string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
            Assert.Contains("```csharp\n" + dedented + "\n```", readme, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"// <example:(?<name>[a-z-]+)>\n(?<body>.*?)\n\s*// </example:\k<name>>", RegexOptions.Singleline)]
    private static partial Regex Region();
}
