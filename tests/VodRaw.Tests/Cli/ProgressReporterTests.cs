using VodRaw.Cli;

namespace VodRaw.Tests.Cli;

public sealed class ProgressReporterTests
{
    [Theory]
    [InlineData(40)]
    [InlineData(80)]
    [InlineData(160)]
    public void ASingleUploadLineFitsEveryWidthAndKeepsItsEtaFrom40Columns(int width)
    {
        var output = new StringWriter();
        var now = TimeSpan.Zero;
        var reporter = new ProgressReporter(output, interactive: true, quiet: false, () => width, () => now);
        const long total = 3L << 30;
        for (var i = 0; i <= 50; i++)
        {
            now = TimeSpan.FromSeconds(i);
            reporter.Report(new UploadProgress(i == 50 ? UploadPhase.Completed : UploadPhase.Uploading, total / 50 * i, total, i, 4, 0, 1));
        }

        var text = output.ToString();
        var segments = text.Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(51, segments.Length);
        AssertLeavesRoomForAnEchoedCtrlC(segments, width);
        Assert.Equal(1, text.Count(c => c == '\n')); // one newline, after the completed line
        var line = segments[25];
        Assert.Contains(" 50.0 %", line, StringComparison.Ordinal);
        Assert.Contains("ETA 00:00:25", line, StringComparison.Ordinal);
        if (width >= 80)
        {
            Assert.Contains("1.50 GiB / 3.00 GiB", line, StringComparison.Ordinal);
            Assert.Contains("61.4 MiB/s", line, StringComparison.Ordinal);
            Assert.Contains("00:00:25  ETA", line, StringComparison.Ordinal); // elapsed
            Assert.Contains("[", line, StringComparison.Ordinal); // a bar
        }

        if (width >= 160)
        {
            Assert.Contains("Uploading", line, StringComparison.Ordinal);
            Assert.Contains("(avg 61.4 MiB/s)", line, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("(avg", line, StringComparison.Ordinal); // the least important field goes first
        }
    }

    [Theory]
    [InlineData(40)]
    [InlineData(80)]
    [InlineData(160)]
    public void ABatchLineKeepsFilesInFlightAndEtaAt80ColumnsShorteningLongAndWideNames(int width)
    {
        var output = new StringWriter();
        var now = TimeSpan.FromSeconds(10);
        var reporter = new ProgressReporter(output, interactive: true, quiet: false, () => width, () => now);
        var progress = new VodRaw.Cli.Batch.BatchProgress(reporter, files: 4, bytes: 4L << 30);
        var names = new[] { "東京の夜景と桜の映像.mp4", "a-very-long-file-name-from-the-archive-of-2019-part-one.mp4", "c.mp4", "d.mp4" };
        var items = names.Select(n => new VodRaw.Cli.Batch.BatchItem("lib/" + n, new VodUploadRequest { MediaFilePath = "/lib/" + n })).ToArray();
        var forItem = items.Select(progress.For).ToArray();
        forItem[2].Report(new UploadProgress(UploadPhase.Uploading, 1L << 30, 1L << 30, 0, 1, 0, 1));
        forItem[0].Report(new UploadProgress(UploadPhase.Uploading, 1L << 29, 1L << 30, 0, 1, 0, 1));
        progress.Done(items[3], ok: false); // forces a draw: one failed, three in flight

        var segments = output.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);
        AssertLeavesRoomForAnEchoedCtrlC(segments, width);
        var line = segments[^1];
        Assert.Contains("files 1/4", line, StringComparison.Ordinal);
        Assert.Contains("ETA ", line, StringComparison.Ordinal);
        Assert.Contains("%", line, StringComparison.Ordinal);
        if (width >= 80)
        {
            Assert.Contains("now: 東京", line, StringComparison.Ordinal);
            Assert.Contains("MiB/s", line, StringComparison.Ordinal);
        }

        if (width == 80)
        {
            Assert.Contains("…", line, StringComparison.Ordinal); // the names are shortened, not dropped
        }

        if (width >= 80)
        {
            Assert.Contains("1 failed", line, StringComparison.Ordinal);
        }

        if (width >= 160)
        {
            Assert.Contains("now: 東京の夜景と桜の映像", line, StringComparison.Ordinal);
            Assert.Contains("(avg ", line, StringComparison.Ordinal);
            Assert.Contains("1.50 GiB / 4.00 GiB", line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("東京", 4)]
    [InlineData("ｆｕｌｌ", 8)]
    [InlineData("한국어", 6)]
    [InlineData("e\u0301", 1)]
    [InlineData("plain.mp4", 9)]
    public void WidthIsCountedInTerminalCells(string text, int cells) => Assert.Equal(cells, TerminalText.Cells(text));

    [Fact]
    public void AWideNameIsShortenedWithinItsCells()
    {
        var shortened = TerminalText.Ellipsize("東京の夜景と桜の映像.mp4", 8);
        Assert.Equal("東京の…", shortened);
        Assert.Equal(7, TerminalText.Cells(shortened));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(80)]
    [InlineData(160)]
    [InlineData(30)]
    public void AfterCtrlCTheMessageStartsOnAFreshLineAndTheCheckpointIdIsNeverSplit(int width)
    {
        const string id = "0123456789abcdef0123456789abcdef";
        var error = new StringWriter();
        var now = TimeSpan.FromSeconds(5);
        var env = new CliEnvironment(new StringWriter(), error, _ => null, Interactive: true) { Width = () => width };
        var reporter = new ProgressReporter(error, interactive: true, quiet: false, env.Width, () => now);
        reporter.Report(new UploadProgress(UploadPhase.Uploading, 1L << 30, 3L << 30, 1, 4, 0, 1));
        reporter.Finish();
        var canceled = new UploadCanceledException(UploadInterruption.Paused, [], null, new CancellationToken(true)) { CheckpointId = id, BytesKept = 1L << 30 };
        UploadRun.Report(env, json: false, canceled);

        var text = error.ToString();
        var live = text.Split('\n')[0];
        Assert.InRange(TerminalText.Cells(live.TrimStart('\r')) + 2, 1, width - 1); // "^C" echoed after it stays on its line
        var message = text[(live.Length + 1)..].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("error: " + UploadRun.CanceledMessage(canceled) + " (code Cancelled)", string.Join(' ', message)); // only broken at spaces
        var longestWord = message.SelectMany(l => l.Split(' ')).Max(w => w.Length);
        Assert.All(message, l => Assert.InRange(TerminalText.Cells(l), 1, Math.Max(width - 1, longestWord))); // a word wider than the terminal has a line of its own
        Assert.Equal(2, message.Count(l => l.Contains(id, StringComparison.Ordinal))); // both mentions whole
    }

    [Theory]
    [InlineData(40)]
    [InlineData(80)]
    public void ABatchFileErrorReplacesTheLiveLineAndKeepsItsCheckpointIdWhole(int width)
    {
        const string id = "fedcba9876543210fedcba9876543210";
        var error = new StringWriter();
        var reporter = new ProgressReporter(error, interactive: true, quiet: false, () => width, () => TimeSpan.FromSeconds(5));
        reporter.Report(new UploadProgress(UploadPhase.Uploading, 1L << 30, 3L << 30, 1, 4, 1, 4));
        var said = $"error: lib/a-long-name.mp4: paused: 8.0 MiB confirmed by COS are kept (checkpoint {id}); run the same command again to resume.";
        reporter.Say(said);

        var written = error.ToString().Split('\r')[^1]; // what follows the cleared row
        var lines = written.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new string(' ', width - 1), error.ToString().Split('\r')[^2]); // all of it, an echoed ^C too
        Assert.Equal(said, string.Join(' ', lines));
        Assert.All(lines, l => Assert.InRange(TerminalText.Cells(l), 1, width - 1));
        Assert.Single(lines, l => l.Contains(id, StringComparison.Ordinal));
    }

    private static void AssertLeavesRoomForAnEchoedCtrlC(string[] segments, int width) =>
        Assert.All(segments, s => Assert.InRange(TerminalText.Cells(s.TrimEnd('\n')) + 2, 3, width - 1));

    [Fact]
    public void TheCurrentRateFollowsTheLastSecondsNotTheWholeUpload()
    {
        var now = TimeSpan.Zero;
        var reporter = new ProgressReporter(new StringWriter(), interactive: false, quiet: false, () => 200, () => now);
        long bytes = 0;
        for (var i = 1; i <= 20; i++)
        {
            now = TimeSpan.FromSeconds(i);
            bytes += i <= 10 ? 10L << 20 : 1L << 20; // 10 MiB/s, then 1 MiB/s
            reporter.Report(new UploadProgress(UploadPhase.Uploading, bytes, 1L << 30, i, 1, 0, 1));
        }

        var line = reporter.Line(new UploadProgress(UploadPhase.Uploading, bytes, 1L << 30, 20, 1, 0, 1), now, 200);
        Assert.Contains("  1.0 MiB/s", line, StringComparison.Ordinal);
        Assert.Contains("(avg 5.5 MiB/s)", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8MiB", 8L << 20)]
    [InlineData("8M", 8L << 20)]
    [InlineData("8MB", 8_000_000L)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1048576", 1048576L)]
    public void SizesFollowOneRule(string text, long bytes)
    {
        Assert.True(SizeParser.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("huge")]
    [InlineData("8XB")]
    [InlineData("0.5B")]
    public void NonSizesAreRefused(string text) => Assert.False(SizeParser.TryParse(text, out _));
}

public sealed class CosEndpointArgumentTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9000", "http://127.0.0.1:9000/{bucket}")]
    [InlineData("http://localhost:9000/", "http://localhost:9000/{bucket}")]
    [InlineData("https://cos.ap-guangzhou.myqcloud.com", "https://{bucket}.cos.ap-guangzhou.myqcloud.com")]
    [InlineData("https://{bucket}.cos.{region}.myqcloud.com", "https://{bucket}.cos.{region}.myqcloud.com")]
    public void APlainUrlFollowsTheS3ToolsConvention(string value, string template) =>
        Assert.Equal(template, CosEndpointArgument.ToTemplate(value));

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://host")]
    [InlineData("http://host/?x=1")]
    public void AnythingElseIsRefused(string value) => Assert.Null(CosEndpointArgument.ToTemplate(value));
}
