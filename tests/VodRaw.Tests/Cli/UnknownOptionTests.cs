using System.Text.Json;
using System.Text.RegularExpressions;
using VodRaw.Cli;

namespace VodRaw.Tests.Cli;

/// <summary>A misspelt option is a usage error with a suggestion, before anything starts (issue 31, point 6).</summary>
public sealed partial class UnknownOptionTests
{
    private static readonly string Wildlife = Path.Combine(VodRaw.Tests.Support.RepositoryRoot.Path, "samples", "Wildlife.mp4");

    [Theory]
    [InlineData("--procdure", "--procedure")]
    [InlineData("--regoin", "--region")]
    [InlineData("--emulatr", "--emulator")]
    public async Task AMisspeltUploadOptionSuggestsTheOptionAndStartsNothing(string typed, string meant)
    {
        // --emulator is given too: the error comes before the emulator would start (its banner would be on standard output).
        var (code, output, error) = await CliTests.RunAsync(["upload", Wildlife, typed, "Flow", "--emulator"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(output);
        Assert.Contains($"vodraw upload has no option {typed}; did you mean {meant}?", error, StringComparison.Ordinal);
        Assert.DoesNotContain("no such file", error, StringComparison.Ordinal);
        Assert.DoesNotContain("problems", error, StringComparison.Ordinal);
        Assert.DoesNotContain("separator", error, StringComparison.Ordinal); // the option was meant, not a path
    }

    [Fact]
    public async Task TheReadmeShowsTheMessagesAsTheyAre()
    {
        var readme = File.ReadAllText(Path.Combine(VodRaw.Tests.Support.RepositoryRoot.Path, "README.md"));
        foreach (var args in new[] { "upload clip.mp4 --procdure Flow", "upload --clip.mp4" })
        {
            var (code, _, error) = await CliTests.RunAsync(args.Split(' '));
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains($"$ vodraw {args}\n{error.Trim()}\n", readme.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithJsonItIsOneObjectWithTheSuggestion()
    {
        var (code, output, _) = await CliTests.RunAsync(["upload", Wildlife, "--regoin=ap-guangzhou", "--emulator", "--json"]);
        Assert.Equal(ExitCodes.Usage, code);
        var json = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Contains("has no option --regoin; did you mean --region?", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pull https://example.com/a.mp4 --wiat", "vodraw pull has no option --wiat; did you mean --wait?")]
    [InlineData("checkpoints list --jsno", "vodraw checkpoints list has no option --jsno; did you mean --json?")]
    [InlineData("emulator --prot 0", "vodraw emulator has no option --prot; did you mean --port?")]
    [InlineData("bench --sise 1MiB", "vodraw bench has no option --sise; did you mean --size?")]
    [InlineData("--verbos upload a.mp4", "vodraw upload has no option --verbos; did you mean --verbose?")]
    [InlineData("upload a.mp4 --colour blue", "vodraw upload has no option --colour.")]
    public async Task EveryCommandRefusesAnUnknownOption(string args, string expected)
    {
        var (code, _, error) = await CliTests.RunAsync(args.Split(' '));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APathThatStartsWithDashesGoesAfterTheSeparator()
    {
        // A folder named --… under the working directory (not changed: other tests run in parallel).
        var folder = "--vodraw-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(folder);
        try
        {
            var file = folder + "/clip.mp4";
            File.Copy(Wildlife, file);
            var refused = await CliTests.RunAsync(["upload", "--emulator", "--quiet", "--json", file]);
            Assert.Equal(ExitCodes.Usage, refused.Code);
            Assert.Contains($"(A path that starts with -- goes after a -- separator: vodraw upload [options] -- {file}.)", refused.Output, StringComparison.Ordinal);

            var (code, output, _) = await CliTests.RunAsync(["upload", "--emulator", "--quiet", "--json", "--", file]);
            Assert.Equal(0, code);
            Assert.Matches(FileId(), output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AnOptionValueThatStartsWithDashesIsTheValue()
    {
        var (code, output, _) = await CliTests.RunAsync(["upload", Wildlife, "--media-name", "--draft--", "--emulator", "--quiet", "--json"]);
        Assert.Equal(0, code);
        Assert.Matches(FileId(), output);
    }

    [Theory]
    [InlineData("--procdure", "--procedure", 1)]
    [InlineData("--regoin", "--region", 1)]
    [InlineData("--region", "--region", 0)]
    [InlineData("ab", "ba", 1)]
    [InlineData("", "abc", 3)]
    public void EditDistanceCountsASwapOnce(string a, string b, int distance) => Assert.Equal(distance, VodRawCli.EditDistance(a, b));

    [GeneratedRegex("\"fileId\":\\s*\"\\d+\"")]
    private static partial Regex FileId();
}

/// <summary>Every help text that lists exit codes lists them all, from ExitCodes.Table (issue 31, point 9).</summary>
public sealed partial class ExitCodeHelpTests
{
    [Fact]
    public void TheTableHasEveryExitCodeOnceInOrder()
    {
        var constants = typeof(ExitCodes).GetFields().Where(f => f.IsLiteral && f.FieldType == typeof(int)).Select(f => (int)f.GetRawConstantValue()!).Order().ToArray();
        Assert.Equal(constants, ExitCodes.Table.Select(row => row.Code).ToArray());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("upload --help")]
    [InlineData("pull --help")]
    public async Task HelpListsEveryExitCode(string args)
    {
        var (code, output, _) = await CliTests.RunAsync(args.Split(' '));
        Assert.Equal(0, code);
        var at = output.IndexOf("Exit codes: ", StringComparison.Ordinal);
        Assert.True(at >= 0, output);
        var paragraph = output[at..output.IndexOf(".\n", at, StringComparison.Ordinal)].ReplaceLineEndings(" ");
        paragraph = Whitespace().Replace(paragraph, " ");
        var listed = ListedCode().Matches(paragraph).Select(m => int.Parse(m.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(ExitCodes.Table.Select(row => row.Code).ToArray(), listed);
        foreach (var (exit, meaning) in ExitCodes.Table)
        {
            Assert.Contains($"{exit} {meaning}", paragraph, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?:Exit codes: |, )(?<code>\d+) ")]
    private static partial Regex ListedCode();
}

/// <summary>Shell completion offers one help spelling, not five (issue 31, point 9).</summary>
public sealed class HelpAliasTests
{
    [Theory]
    [InlineData("upload video.mp4 -")]
    [InlineData("-")]
    [InlineData("upload ")]
    public async Task CompletionOffersOnlyDashDashHelpAndDashH(string line)
    {
        var (code, output, _) = await CliTests.RunAsync([$"[suggest:{line.Length}]", line]);
        Assert.Equal(0, code);
        var suggested = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("--help", suggested);
        Assert.Contains("-h", suggested);
        Assert.DoesNotContain("/?", suggested);
        Assert.DoesNotContain("/h", suggested);
        Assert.DoesNotContain("-?", suggested);
    }
}
