using VodRaw.Cli;

namespace VodRaw.Tests.Cli;

public sealed class ProgressReporterTests
{
    [Theory]
    [InlineData(40)]
    [InlineData(80)]
    [InlineData(200)]
    public void EveryLiveLineFitsTheTerminalAndRewritesInPlace(int width)
    {
        var output = new StringWriter();
        var now = TimeSpan.Zero;
        var reporter = new ProgressReporter(output, interactive: true, quiet: false, () => width, () => now);
        const long total = 3L << 30;
        for (var i = 0; i <= 50; i++)
        {
            now = TimeSpan.FromSeconds(i);
            reporter.Report(new UploadProgress(i == 50 ? UploadPhase.Completed : UploadPhase.Uploading, total / 50 * i, total, i, 4, i / 10, 6));
        }

        var text = output.ToString();
        var segments = text.Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(51, segments.Length);
        Assert.All(segments, s => Assert.InRange(s.TrimEnd('\n', '\r').Length, 1, width - 1)); // never wraps
        Assert.Single(text.Split('\n'), l => l.Length > 0 && l != text.Split('\n')[^1]); // one newline, at the end
        if (width >= 80)
        {
            Assert.Contains("[", segments[25], StringComparison.Ordinal); // a bar
            Assert.Contains("MiB/s", segments[25], StringComparison.Ordinal);
        }

        if (width >= 200)
        {
            Assert.Contains("files 2/6", segments[25], StringComparison.Ordinal);
            Assert.Contains("ETA", segments[25], StringComparison.Ordinal);
        }
    }

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

    [Fact]
    public void ABatchLineShowsFilesFailuresAndWhatIsInFlightWhenThereIsRoom()
    {
        var output = new StringWriter();
        var now = TimeSpan.FromSeconds(10);
        var width = 200;
        var reporter = new ProgressReporter(output, interactive: true, quiet: false, () => width, () => now);
        var progress = new VodRaw.Cli.Batch.BatchProgress(reporter, files: 3, bytes: 3000);
        var a = new VodRaw.Cli.Batch.BatchItem("lib/a.mp4", new VodUploadRequest { MediaFilePath = "/lib/a.mp4" }) { Plan = null };
        var b = new VodRaw.Cli.Batch.BatchItem("lib/b.mp4", new VodUploadRequest { MediaFilePath = "/lib/b.mp4" });
        var forA = progress.For(a);
        progress.For(b);
        forA.Report(new UploadProgress(UploadPhase.Uploading, 500, 1000, 0, 1, 0, 1));
        progress.Done(b, ok: false);

        var last = output.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Contains("files 1/3", last, StringComparison.Ordinal);
        Assert.Contains("1 failed", last, StringComparison.Ordinal);
        Assert.Contains("now: a.mp4", last, StringComparison.Ordinal);
        Assert.Contains("500 B / 2.9 KiB", last, StringComparison.Ordinal);

        width = 60; // no room: the batch fields go first, the line still fits
        forA.Report(new UploadProgress(UploadPhase.Uploading, 600, 1000, 0, 1, 0, 1));
        progress.Done(a, ok: true);
        var narrow = output.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.InRange(narrow.TrimEnd().Length, 1, 59);
    }
}
