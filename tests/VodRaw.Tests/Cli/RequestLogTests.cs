using System.Text.RegularExpressions;
using VodRaw.Cli;
using VodRaw.Emulator;

namespace VodRaw.Tests.Cli;

/// <summary><c>--verbose</c> and <c>--log-file</c>: one line per request attempt, the result, a summary, no secret.</summary>
public sealed class RequestLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vodraw-log-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task VerboseAndTheLogFileShowEveryRequestAttemptWithItsPartAndRetryReason()
    {
        await using var emulator = await VodEmulator.StartAsync();
        var failure = emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "ServiceUnavailable", partNumber: 2).Rules[^1];
        var media = Path.Combine(_directory, "three-parts.mp4");
        await File.WriteAllBytesAsync(media, new byte[(3 * 1024 * 1024) - 5]);
        var logPath = Path.Combine(_directory, "upload.log");

        var (code, output, error) = await RunAsync(emulator,
            ["upload", media, "--part-size", "1MiB", "--concurrency", "1", "--verbose", "--log-file", logPath]);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(1, failure.Fired);
        var log = await File.ReadAllTextAsync(logPath);
        foreach (var text in new[] { error, log })
        {
            Assert.Matches(@"RequestCompleted operation=ApplyUpload attempts=1 status=200 milliseconds=[\d.]+ outcome=ok requestId=\S+", text);
            Assert.Matches(@"RequestCompleted operation=InitiateMultipartUpload attempts=1 status=200 .*objectKey=\S+\.mp4", text);
            Assert.Matches(@"Retrying operation=UploadPart attempt=1 status=503 code=ServiceUnavailable reason=""[^""]+"" backoffMilliseconds=[\d.]+ part=2 objectKey=", text);
            Assert.Matches(@"RequestCompleted operation=UploadPart attempts=2 status=200 .* part=2 ", text);
            Assert.Matches(@"RequestCompleted operation=UploadPart attempts=1 status=200 .* part=1 ", text);
            Assert.Matches(@"RequestCompleted operation=UploadPart attempts=1 status=200 .* part=3 ", text);
            Assert.Matches(@"RequestCompleted operation=CompleteMultipartUpload attempts=1 status=200", text);
            Assert.Matches(@"RequestCompleted operation=CommitUpload attempts=1 status=200", text);
            Assert.DoesNotContain(emulator.Credential.SecretKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(emulator.Credential.SecretId, text, StringComparison.Ordinal);
            Assert.DoesNotContain("q-signature", text, StringComparison.Ordinal);
            Assert.DoesNotContain("TC3-HMAC-SHA256", text, StringComparison.Ordinal);
        }

        // Every request line starts with a UTC timestamp; the file also has the result and the summary.
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", line));
        var fileId = Regex.Match(output, @"FileId:\s+(\S+)").Groups[1].Value;
        Assert.Contains("FileId:    " + fileId, log, StringComparison.Ordinal);
        Assert.Matches(@"Summary exit=0 meaning=ok seconds=[\d.]+\s*$", log);
        Assert.DoesNotContain("Summary", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLogFileRecordsTheErrorAndTheExitCodeOfAFailedUpload()
    {
        await using var emulator = await VodEmulator.StartAsync();
        emulator.Faults.Fail(EmulatorOperation.ApplyUpload, 200, "InvalidParameterValue.SubAppId");
        var logPath = Path.Combine(_directory, "failed.log");

        var (code, _, error) = await RunAsync(emulator, ["upload", Path.Combine(RepositoryRoot(), "samples", "Wildlife.mp4"), "--log-file", logPath, "--quiet"]);

        Assert.Equal(ExitCodes.ServiceError, code);
        var log = await File.ReadAllTextAsync(logPath);
        Assert.Matches(@"RequestCompleted operation=ApplyUpload attempts=1 status=200 milliseconds=[\d.]+ outcome=error code=InvalidParameterValue.SubAppId", log);
        Assert.Matches(@"UploadFailed operation=ApplyUpload code=InvalidParameterValue.SubAppId", log);
        Assert.Contains("error: ", log, StringComparison.Ordinal);
        Assert.Matches(@"Summary exit=3 meaning=service-error", log);
        // Without --verbose, standard error has the error but no request lines.
        Assert.DoesNotContain("RequestCompleted", error, StringComparison.Ordinal);
        Assert.DoesNotContain(emulator.Credential.SecretKey, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALogFileThatCannotBeOpenedIsAUsageErrorBeforeAnyRequest()
    {
        await using var emulator = await VodEmulator.StartAsync();
        var logPath = Path.Combine(_directory, "no-such-folder", "upload.log");

        var (code, _, error) = await RunAsync(emulator, ["upload", Path.Combine(RepositoryRoot(), "samples", "Wildlife.mp4"), "--log-file", logPath]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--log-file " + logPath + ": cannot open it for writing", error, StringComparison.Ordinal);
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task TheStandaloneEmulatorWithVerboseLogsEveryRequestItServes()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var logPath = Path.Combine(_directory, "emulator.log");
        var environment = new CliEnvironment(TextWriter.Synchronized(output), TextWriter.Synchronized(error), _ => null, Interactive: false);
        using var stop = new CancellationTokenSource();
        var run = VodRawCli.RunAsync(["emulator", "--json", "--verbose", "--log-file", logPath], environment, stop.Token);
        for (var i = 0; i < 200 && !output.ToString().Contains('\n'); i++)
        {
            await Task.Delay(25);
        }

        var banner = System.Text.Json.JsonDocument.Parse(output.ToString().Split('\n')[0]).RootElement;
        using (var client = new VodUploadClient(
            new VodCredential(banner.GetProperty("secretId").GetString()!, banner.GetProperty("secretKey").GetString()!),
            new VodUploadClientOptions { VodEndpoint = new Uri(banner.GetProperty("vodEndpoint").GetString()!), CosEndpointTemplate = banner.GetProperty("cosEndpoint").GetString()! }))
        {
            await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = Path.Combine(RepositoryRoot(), "samples", "Wildlife.mp4") });
        }

        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await run);
        var log = await File.ReadAllTextAsync(logPath);
        foreach (var text in new[] { error.ToString(), log })
        {
            Assert.Matches(@"Served operation=ApplyUpload method=POST target=""ApplyUpload"" status=200 bytes=\d+", text);
            Assert.Matches(@"Served operation=PutObject method=PUT target=""vodemumain-\d+/\d+/f0.mp4"" status=200 bytes=92843", text);
            Assert.Matches(@"Served operation=CommitUpload .* status=200", text);
            Assert.DoesNotContain(banner.GetProperty("secretKey").GetString()!, text, StringComparison.Ordinal);
            Assert.DoesNotContain(banner.GetProperty("temporaryCredential").GetProperty("token").GetString()!, text, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot() => VodRaw.Tests.Support.RepositoryRoot.Path;

    private static async Task<(int Code, string Output, string Error)> RunAsync(VodEmulator emulator, string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var variables = new Dictionary<string, string>
        {
            ["TENCENTCLOUD_SECRET_ID"] = emulator.Credential.SecretId,
            ["TENCENTCLOUD_SECRET_KEY"] = emulator.Credential.SecretKey,
        };
        var environment = new CliEnvironment(output, error, name => variables.GetValueOrDefault(name), Interactive: false);
        string[] endpoints = ["--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}", "--no-resume"];
        var code = await VodRawCli.RunAsync([.. args, .. endpoints], environment);
        return (code, output.ToString(), error.ToString());
    }
}
