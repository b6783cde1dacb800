using System.Text.Json;
using VodRaw.Cli;

namespace VodRaw.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void TheMemoryColumnCountsTheChunkAStreamedPartHolds()
    {
        Assert.Equal(3L * VodRaw.Transfer.PartContent.ChunkSize, BenchRun.Memory(8 << 20, 3));
        Assert.Equal(3L * 65536, BenchRun.Memory(65536, 3));
        Assert.Equal(TransferOptions.DefaultMemoryBudget, BenchRun.Memory(8 << 20, 0));
    }

    [Fact]
    public async Task BenchAgainstTheEmulatorMeasuresEverySettingAndRecommendsOne()
    {
        var (code, output, _) = await RunAsync(["bench", "--emulator", "--size", "3MiB", "--part-sizes", "1MiB,2MiB", "--concurrency", "1,auto", "--json"]);

        Assert.Equal(ExitCodes.Ok, code);
        var result = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Equal(3 << 20, result.GetProperty("bytes").GetInt64());
        var settings = result.GetProperty("results").EnumerateArray()
            .Select(r => (r.GetProperty("partSize").GetInt64(), r.GetProperty("concurrency").ToString())).ToList();
        Assert.Equal([(1L << 20, "1"), (1L << 20, "auto"), (2L << 20, "1"), (2L << 20, "auto")], settings);
        Assert.All(result.GetProperty("results").EnumerateArray(), r =>
        {
            Assert.True(r.GetProperty("mebibytesPerSecond").GetDouble() > 0);
            Assert.False(string.IsNullOrEmpty(r.GetProperty("fileId").GetString()));
        });
        var recommended = result.GetProperty("recommended");
        Assert.Contains((recommended.GetProperty("partSize").GetInt64(), recommended.GetProperty("concurrency").ToString()), settings);
        Assert.Empty(result.GetProperty("createdFileIds").EnumerateArray()); // the emulator's media need no deleting
        Assert.True(result.GetProperty("cpuIncludesEmulator").GetBoolean()); // it runs in this process
    }

    [Fact]
    public async Task TheTableSaysItsUnitAndThatTheInProcessEmulatorsCpuIsCounted()
    {
        var (code, output, error) = await RunAsync(["bench", "--emulator", "--size", "2MiB", "--part-sizes", "1MiB", "--concurrency", "1"]);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("rates in MiB/s (1 MiB = 1,048,576 bytes), as upload progress shows them.", output, StringComparison.Ordinal);
        Assert.Contains("The embedded emulator runs in this process: CPU-s per GiB is the uploader's and the emulator's together", output, StringComparison.Ordinal);
        Assert.Contains("| part size | in flight | MiB/s | CPU-s per GiB (uploader + emulator) |", output, StringComparison.Ordinal);
        Assert.DoesNotContain("MB/s", output + error, StringComparison.Ordinal);
        Assert.Matches(@"× 1: \d+\.\d MiB/s", error);
    }

    [Theory]
    [InlineData("--part-sizes", "100KiB")]
    [InlineData("--concurrency", "0")]
    [InlineData("--concurrency", "automatic")]
    [InlineData("--size", "lots")]
    public async Task BadSettingsAreUsageErrorsBeforeAnyUpload(string option, string value)
    {
        var (code, _, error) = await RunAsync(["bench", "--emulator", option, value]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgainstARealAccountItNeedsCredentialsFirst()
    {
        var (code, _, error) = await RunAsync(["bench", "--region", "ap-guangzhou"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("TENCENTCLOUD_SECRET_ID", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8L << 20, "8MiB")]
    [InlineData(1L << 30, "1GiB")]
    [InlineData(1_500_000L, "1500000")]
    public void TheRecommendationIsWrittenAsPartSizeTakesIt(long bytes, string text)
    {
        Assert.Equal(text, BenchRun.SizeArgument(bytes));
        Assert.True(SizeParser.TryParse(text, out var back));
        Assert.Equal(bytes, back);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await VodRawCli.RunAsync(args, new CliEnvironment(output, error, _ => null, Interactive: false));
        return (code, output.ToString(), error.ToString());
    }
}
