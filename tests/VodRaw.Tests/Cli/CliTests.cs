using System.Text.Json;
using System.Text.RegularExpressions;
using VodRaw.Cli;
using VodRaw.Emulator;

namespace VodRaw.Tests.Cli;

public sealed partial class CliTests
{
    private static readonly string Root = VodRaw.Tests.Support.RepositoryRoot.Path;

    private static string Sample(string name) => Path.Combine(Root, "samples", name);

    [Fact]
    public async Task UploadsToTheEmbeddedEmulatorAndPrintsTheResult()
    {
        var (code, output, _) = await RunAsync(["upload", Sample("Wildlife.mp4"), "--cover", Sample("Wildlife-Cover.png"), "--emulator"]);
        Assert.Equal(0, code);
        Assert.Matches(@"FileId:\s+\d+", output);
        Assert.Matches(@"CoverUrl:\s+http://127\.0\.0\.1:\d+/.+/cover\.png", output);
        Assert.Contains("MiB/s", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonOutputIsOneObjectWithTheDocumentedFields()
    {
        var (code, output, _) = await RunAsync(["upload", Sample("Wildlife.mp4"), "--emulator", "--json", "--quiet"]);
        Assert.Equal(0, code);
        var json = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Matches(@"^\d+$", json.GetProperty("fileId").GetString());
        Assert.StartsWith("http://127.0.0.1:", json.GetProperty("mediaUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("coverUrl").ValueKind);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("requestId").GetString()));
        Assert.Equal(new FileInfo(Sample("Wildlife.mp4")).Length, json.GetProperty("bytes").GetInt64());
        Assert.True(json.GetProperty("seconds").GetDouble() >= 0);
        Assert.True(json.GetProperty("megabytesPerSecond").GetDouble() >= 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UploadsAnHlsPackageWithEitherDiscovery(bool local)
    {
        string[] args = ["upload", Path.Combine(Root, "samples", "hls", "master.m3u8"), "--emulator", "--json", "--quiet"];
        var (code, output, _) = await RunAsync(local ? [.. args, "--local-manifests"] : args);
        Assert.Equal(0, code);
        var package = Directory.EnumerateFiles(Path.Combine(Root, "samples", "hls"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.Equal(package, JsonDocument.Parse(output.Trim()).RootElement.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task WithoutCredentialsItNamesTheVariablesAndExitsTwo()
    {
        var (code, output, error) = await RunAsync(["upload", Sample("Wildlife.mp4"), "--region", "ap-guangzhou"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("TENCENTCLOUD_SECRET_ID", error, StringComparison.Ordinal);
        Assert.Contains("TENCENTCLOUD_SECRET_KEY", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("missing-file")]
    [InlineData("unknown-option")]
    [InlineData("bad-part-size")]
    [InlineData("no-region")]
    public async Task BadUsageOrInputExitsTwo(string kind)
    {
        string[] args = kind switch
        {
            "missing-file" => ["upload", Sample("absent.mp4"), "--emulator"],
            "unknown-option" => ["upload", Sample("Wildlife.mp4"), "--colour", "blue"],
            "bad-part-size" => ["upload", Sample("Wildlife.mp4"), "--emulator", "--part-size", "huge"],
            _ => ["upload", Sample("Wildlife.mp4")],
        };
        var (code, _, error) = await RunAsync(args, env: kind == "no-region" ? new() { ["TENCENTCLOUD_SECRET_ID"] = "AKIDX", ["TENCENTCLOUD_SECRET_KEY"] = "k" } : null);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("error:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServiceErrorExitsThreeWithItsCodeAndRequestIdAndNoSecret()
    {
        await using var emulator = await VodEmulator.StartAsync();
        emulator.Faults.Fail(EmulatorOperation.ApplyUpload, 200, "InvalidParameterValue.SubAppId");
        var (code, output, error) = await RunAsync(
            ["upload", Sample("Wildlife.mp4"), "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}", "--json"],
            EnvFor(emulator));
        Assert.Equal(ExitCodes.ServiceError, code);
        var json = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("error");
        Assert.Equal("InvalidParameterValue.SubAppId", json.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("requestId").GetString()));
        Assert.Equal(3, json.GetProperty("exitCode").GetInt32());
        Assert.DoesNotContain(emulator.Credential.SecretKey, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANetworkThatKeepsFailingExitsFour()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there now
        var (code, _, error) = await RunAsync(
            ["upload", Sample("Wildlife.mp4"), "--region", "ap-guangzhou", "--vod-endpoint", $"http://127.0.0.1:{port}/", "--quiet"],
            new() { ["TENCENTCLOUD_SECRET_ID"] = "AKIDX", ["TENCENTCLOUD_SECRET_KEY"] = "k" });
        Assert.Equal(ExitCodes.NetworkError, code);
        Assert.Contains("NetworkError", error, StringComparison.Ordinal);
        // The host, the port and the socket's reason, not only an exception's type.
        Assert.Contains($"the connection to 127.0.0.1:{port} failed: socket error ConnectionRefused", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingExits130AndAbortsTheMultipartUpload()
    {
        await using var emulator = await VodEmulator.StartAsync();
        emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 2);
        var file = Path.Combine(Path.GetTempPath(), $"vodraw-cli-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(file, new byte[3 * 1024 * 1024]);
        try
        {
            using var cts = new CancellationTokenSource();
            var run = RunAsync(
                ["upload", file, "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}", "--part-size", "1MiB", "--concurrency", "1", "--quiet"],
                EnvFor(emulator), cts.Token);
            while (!emulator.Requests.Any(r => r.Operation == EmulatorOperation.UploadPart && r.PartNumber == 1))
            {
                await Task.Delay(10);
            }

            await cts.CancelAsync();
            var (code, _, error) = await run;
            Assert.Equal(ExitCodes.Cancelled, code);
            Assert.Contains("cancelled", error, StringComparison.Ordinal);
            Assert.Single(emulator.AbortedUploads);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("/dev/zero", "character device")]
    [InlineData("unreadable", "denied")]
    public async Task ABadFileExitsTwoWithOneJsonErrorAndNoStackTrace(string path, string reason)
    {
        var dir = Directory.CreateTempSubdirectory("vodraw-cli-").FullName;
        try
        {
            if (path == "unreadable")
            {
                path = VodRaw.Tests.EndToEnd.UnreadableFile.Create(dir);
            }

            var (code, output, error) = await RunAsync(["upload", path, "--media-type", "mp4", "--emulator", "--json", "--quiet"]);
            Assert.Equal(ExitCodes.Usage, code);
            var json = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("error");
            Assert.Equal(2, json.GetProperty("exitCode").GetInt32());
            Assert.Contains(reason, json.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
            Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
            Assert.DoesNotContain("(Parameter '", output + error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task UploadsStandardInputWithADash()
    {
        var content = new byte[(2 * 1024 * 1024) + 17];
        new Random(7).NextBytes(content);
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment(output, error, _ => null, Interactive: false, Input: () => new VodRaw.Tests.EndToEnd.NonSeekableStream(content)); // a pipe: no length, no seek
        var code = await VodRawCli.RunAsync(["upload", "-", "--media-type", "mp4", "--media-name", "piped", "--emulator", "--json", "--quiet", "--part-size", "1MiB"], environment);
        Assert.Equal(0, code);
        Assert.Equal(content.Length, JsonDocument.Parse(output.ToString().Trim()).RootElement.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task StandardInputWithoutAMediaTypeExitsTwo()
    {
        var (code, _, error) = await RunAsync(["upload", "-", "--emulator"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--media-type", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACredentialThatRunsOutExitsSixNamingTheExpiry()
    {
        await using var emulator = await VodEmulator.StartAsync();
        emulator.TemporaryCredentialLifetime = TimeSpan.FromSeconds(2);
        var (code, output, _) = await RunAsync(
            ["upload", Sample("Wildlife.mp4"), "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}", "--json", "--quiet"],
            EnvFor(emulator));
        Assert.Equal(ExitCodes.CredentialExpired, code);
        var json = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("error");
        Assert.Equal("CredentialExpired", json.GetProperty("code").GetString());
        Assert.Contains("expires at", json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingBeforeAnythingStartedSaysSo()
    {
        await using var emulator = await VodEmulator.StartAsync();
        emulator.Faults.Delay(EmulatorOperation.ApplyUpload, TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        var run = RunAsync(
            ["upload", Sample("Wildlife.mp4"), "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}", "--json", "--quiet"],
            EnvFor(emulator), cts.Token);
        while (emulator.Faults.FiredRules.Count == 0)
        {
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        var (code, output, error) = await run;
        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Contains("before anything was written", error, StringComparison.Ordinal);
        Assert.Equal("NothingStarted", JsonDocument.Parse(output.Trim()).RootElement.GetProperty("error").GetProperty("outcome").GetString());
        Assert.DoesNotContain("aborted", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReadmeRunCommandSucceeds()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Root, "README.md"));
        var line = ReadmeRunLine().Match(readme);
        Assert.True(line.Success, "README.md shows `dotnet run --project src/VodRaw.Cli -- upload ... --emulator`");
        var args = line.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a.StartsWith("samples/", StringComparison.Ordinal) ? Path.Combine(Root, a) : a).ToArray();
        var (code, output, _) = await RunAsync(args);
        Assert.Equal(0, code);
        Assert.Contains("FileId:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckpointsListShowsAPausedUploadAndAbortGivesItUp()
    {
        await using var h = await VodRaw.Tests.Support.UploadHarness.StartAsync(new VodEmulatorOptions { Latency = TimeSpan.FromMilliseconds(10) });
        var (media, _) = h.File("paused.mp4", (6 * 1024 * 1024) + 7);
        var directory = Path.Combine(h.TempDirectory, "checkpoints");
        using (var client = h.Client(o =>
        {
            o.Checkpoints = new VodRaw.Checkpoints.CheckpointStore(directory);
            o.ProgressInterval = TimeSpan.Zero;
            o.Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize, Concurrency = 2 };
        }))
        {
            using var cts = new CancellationTokenSource();
            var progress = new InlineProgress(p =>
            {
                if (p.PartsCompleted >= 2)
                {
                    cts.Cancel();
                }
            });
            await Assert.ThrowsAsync<UploadCanceledException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }, progress, cts.Token));
        }

        var (listCode, listed, _) = await RunAsync(["checkpoints", "list", "--checkpoint-dir", directory, "--json"]);
        Assert.Equal(0, listCode);
        var entry = Assert.Single(JsonDocument.Parse(listed).RootElement.GetProperty("checkpoints").EnumerateArray());
        Assert.Equal(media, entry.GetProperty("mediaPath").GetString());
        Assert.True(entry.GetProperty("partsDone").GetInt32() >= 2);
        Assert.Equal(7, entry.GetProperty("partsTotal").GetInt32());
        var id = entry.GetProperty("id").GetString()!;

        var (textCode, text, _) = await RunAsync(["checkpoints", "list", "--checkpoint-dir", directory]);
        Assert.Equal(0, textCode);
        Assert.Contains(id, text, StringComparison.Ordinal);
        Assert.Contains("credential expires in", text, StringComparison.Ordinal);

        var (abortCode, _, abortLog) = await RunAsync(["checkpoints", "abort", id, "--checkpoint-dir", directory, "--cos-endpoint", h.Emulator.CosEndpoint + "{bucket}"], EnvFor(h.Emulator));
        Assert.True(abortCode == 0, abortLog);
        Assert.Equal(0, h.Emulator.PendingMultipartUploads);
        Assert.Single(h.Emulator.AbortedUploads);
        var (_, after, _) = await RunAsync(["checkpoints", "list", "--checkpoint-dir", directory, "--json"]);
        Assert.Empty(JsonDocument.Parse(after).RootElement.GetProperty("checkpoints").EnumerateArray());

        var (missingCode, _, missing) = await RunAsync(["checkpoints", "abort", id, "--checkpoint-dir", directory], EnvFor(h.Emulator));
        Assert.Equal(ExitCodes.Usage, missingCode);
        Assert.Contains("There is no checkpoint", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondRunOfARunningUploadExitsInUseAndAbortLeavesItsCheckpointAlone()
    {
        await using var emulator = await VodEmulator.StartAsync();
        emulator.Faults.Delay(EmulatorOperation.PutObject, TimeSpan.FromMinutes(1)); // the first run's PUT hangs until it is cancelled
        var directory = Path.Combine(Path.GetTempPath(), "vodraw-in-use-" + Guid.NewGuid().ToString("N"));
        string[] upload = ["upload", Sample("Wildlife.mp4"), "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(),
            "--cos-endpoint", emulator.CosEndpoint + "{bucket}", "--checkpoint-dir", directory, "--json", "--quiet"];
        using var stopFirst = new CancellationTokenSource();
        var first = RunAsync(upload, EnvFor(emulator), stopFirst.Token);
        try
        {
            string? checkpoint = null;
            for (var i = 0; i < 400 && checkpoint is null && !first.IsCompleted; i++)
            {
                await Task.Delay(25); // the checkpoint is written once ApplyUpload answered, before the PUT starts
                checkpoint = Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.checkpoint").FirstOrDefault() : null;
            }

            Assert.NotNull(checkpoint);
            var id = Path.GetFileNameWithoutExtension(checkpoint);

            var (code, output, _) = await RunAsync(upload, EnvFor(emulator));
            Assert.Equal(ExitCodes.InUse, code);
            var error = JsonDocument.Parse(output).RootElement.GetProperty("error");
            Assert.Equal("CheckpointInUse", error.GetProperty("code").GetString());
            Assert.Equal(ExitCodes.InUse, error.GetProperty("exitCode").GetInt32());
            Assert.Equal(1, emulator.Attempts(EmulatorOperation.ApplyUpload)); // the second run sent nothing

            var (abortCode, _, abortLog) = await RunAsync(["checkpoints", "abort", id, "--checkpoint-dir", directory, "--cos-endpoint", emulator.CosEndpoint + "{bucket}"], EnvFor(emulator));
            Assert.Equal(ExitCodes.InUse, abortCode);
            Assert.Contains("in use by a running upload", abortLog, StringComparison.Ordinal);
            Assert.True(File.Exists(checkpoint));
        }
        finally
        {
            await stopFirst.CancelAsync();
            Assert.Equal(ExitCodes.Cancelled, (await first).Code); // paused: its checkpoint stays resumable
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task TheStandaloneEmulatorPrintsItsPermanentAndTemporaryCredentials()
    {
        var output = new StringWriter();
        var environment = new CliEnvironment(TextWriter.Synchronized(output), new StringWriter(), _ => null, Interactive: false);
        using var stop = new CancellationTokenSource();
        var run = VodRawCli.RunAsync(["emulator", "--json"], environment, stop.Token);
        for (var i = 0; i < 200 && !output.ToString().Contains('\n'); i++)
        {
            await Task.Delay(25);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await run);
        var banner = JsonDocument.Parse(output.ToString().Split('\n')[0]).RootElement;
        var temporary = banner.GetProperty("temporaryCredential");
        Assert.NotEqual(banner.GetProperty("secretId").GetString(), temporary.GetProperty("secretId").GetString());
        Assert.False(string.IsNullOrEmpty(temporary.GetProperty("token").GetString()));
        Assert.True(DateTimeOffset.Parse(temporary.GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(11));
    }

    [Fact]
    public async Task UploadsToTheMediaStoragePathItIsGiven()
    {
        await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { PathModeSubAppIds = [101] });
        string[] upload = ["upload", Sample("Wildlife.mp4"), "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}",
            "--no-resume", "--json", "--quiet", "--sub-app-id", "101", "--media-storage-path", "/cli/野生 Wildlife.mp4"];
        var (code, output, error) = await RunAsync(upload, EnvFor(emulator));

        Assert.True(code == 0, error);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.EndsWith("/cli/%E9%87%8E%E7%94%9F%20Wildlife.mp4", result.GetProperty("mediaUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Sample("Wildlife.mp4")), emulator.GetObject(emulator.BucketFor(101), "cli/野生 Wildlife.mp4")!.ReadAllBytes());
        Assert.Equal("/cli/野生 Wildlife.mp4", JsonDocument.Parse(Assert.Single(emulator.CommittedMedia).ApplyUploadBody).RootElement.GetProperty("MediaStoragePath").GetString());
    }

    [Fact]
    public async Task RefusesAMediaStoragePathWithoutALeadingSlashBeforeSendingAnything()
    {
        await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { PathModeSubAppIds = [101] });
        var (code, output, error) = await RunAsync(
            ["upload", Sample("Wildlife.mp4"), "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}",
                "--no-resume", "--json", "--quiet", "--sub-app-id", "101", "--media-storage-path", "cli/Wildlife.mp4"],
            EnvFor(emulator));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("error: MediaStoragePath must start with '/', for example /dir1/video.mp4.", error.Trim());
        Assert.Equal("MediaStoragePath must start with '/', for example /dir1/video.mp4.", JsonDocument.Parse(output).RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task ReportsTheServicesRefusalOfAMediaStoragePath()
    {
        await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { PathModeSubAppIds = [101] });
        var (code, output, _) = await RunAsync(
            ["upload", Sample("Wildlife.mp4"), "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}",
                "--no-resume", "--json", "--quiet", "--sub-app-id", "102", "--media-storage-path", "/cli/Wildlife.mp4"],
            EnvFor(emulator));

        Assert.Equal(ExitCodes.ServiceError, code);
        var failure = JsonDocument.Parse(output).RootElement.GetProperty("error");
        Assert.Equal("InvalidParameterValue.MediaStoragePath", failure.GetProperty("code").GetString());
        Assert.Equal("ApplyUpload", failure.GetProperty("operation").GetString());
        Assert.DoesNotContain(emulator.Requests, r => r.Operation is EmulatorOperation.PutObject or EmulatorOperation.InitiateMultipartUpload);
    }

    [Fact]
    public async Task UploadHelpAndCompletionKnowMediaStoragePath()
    {
        var (_, help, _) = await RunAsync(["upload", "--help"]);
        Assert.Contains("--media-storage-path", help, StringComparison.Ordinal);
        Assert.Contains("FileID + Path mode", help, StringComparison.Ordinal);

        // What the bash completion script asks: vodraw "[suggest:N]" "<line>".
        var line = "upload video.mp4 --media-st";
        var (_, suggested, _) = await RunAsync([$"[suggest:{line.Length}]", line]);
        Assert.Equal(["--media-storage-path"], suggested.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task TheStandaloneEmulatorPutsTheSubApplicationsItIsToldOfInPathMode()
    {
        var output = new StringWriter();
        var environment = new CliEnvironment(TextWriter.Synchronized(output), new StringWriter(), _ => null, Interactive: false);
        using var stop = new CancellationTokenSource();
        var run = VodRawCli.RunAsync(["emulator", "--json", "--path-mode-sub-app-id", "101", "--path-mode-sub-app-id", "102"], environment, stop.Token);
        for (var i = 0; i < 200 && !output.ToString().Contains('\n'); i++)
        {
            await Task.Delay(25);
        }

        try
        {
            var banner = JsonDocument.Parse(output.ToString().Split('\n')[0]).RootElement;
            Assert.Equal([101L, 102L], banner.GetProperty("pathModeSubAppIds").EnumerateArray().Select(e => e.GetInt64()));
            using var client = new VodUploadClient(
                new VodCredential(banner.GetProperty("secretId").GetString()!, banner.GetProperty("secretKey").GetString()!),
                new VodUploadClientOptions { VodEndpoint = new Uri(banner.GetProperty("vodEndpoint").GetString()!), CosEndpointTemplate = banner.GetProperty("cosEndpoint").GetString()! });
            var stored = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = Sample("Wildlife.mp4"), SubAppId = 102, MediaStoragePath = "/cli/wildlife.mp4" });
            Assert.EndsWith("/cli/wildlife.mp4", stored.MediaUrl, StringComparison.Ordinal);
            var refused = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = Sample("Wildlife.mp4"), SubAppId = 103, MediaStoragePath = "/cli/other.mp4" }));
            Assert.Equal("InvalidParameterValue.MediaStoragePath", refused.Code);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run);
        }
    }

    [Fact]
    public async Task TheStandaloneEmulatorRefusesAPathModeSubApplicationThatCannotExist()
    {
        var (code, _, error) = await RunAsync(["emulator", "--path-mode-sub-app-id", "5", "--path-mode-sub-app-id", "-3"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--path-mode-sub-app-id -3: a sub-application ID is positive.", error, StringComparison.Ordinal);
    }

    private sealed class InlineProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }

    internal static Dictionary<string, string> EnvFor(VodEmulator emulator) => new()
    {
        ["TENCENTCLOUD_SECRET_ID"] = emulator.Credential.SecretId,
        ["TENCENTCLOUD_SECRET_KEY"] = emulator.Credential.SecretKey,
    };

    internal static async Task<(int Code, string Output, string Error)> RunAsync(string[] args, Dictionary<string, string>? env = null, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment(output, error, name => env?.GetValueOrDefault(name), Interactive: false);
        var code = await VodRawCli.RunAsync(args, environment, cancellationToken);
        AssertReadsLikeATool(output.ToString() + error.ToString());
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Every CLI run of these tests: no .NET exception wording reaches the user.</summary>
    private static void AssertReadsLikeATool(string text)
    {
        string[] dotnetWording = ["(Parameter '", "Actual value was", "System.Nullable`1", "System.", "Exception:", "   at ", "Unhandled exception", "Object reference not set"];
        foreach (var wording in dotnetWording)
        {
            Assert.False(text.Contains(wording, StringComparison.Ordinal), $"CLI output contains .NET wording '{wording}':\n{text}");
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("upload --help")]
    [InlineData("emulator -h")]
    public async Task HelpNamesTheCommandVodraw(string args)
    {
        var (code, output, _) = await RunAsync(args.Split(' '));
        Assert.Equal(0, code);
        var usage = output[(output.IndexOf("Usage:", StringComparison.Ordinal) + "Usage:".Length)..].TrimStart();
        Assert.StartsWith("vodraw ", usage, StringComparison.Ordinal);
        Assert.DoesNotContain("VodRaw.Cli", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadHelpListsExamplesEnvironmentAndExitCodes()
    {
        var (_, output, _) = await RunAsync(["upload", "--help"]);
        foreach (var expected in new[] { "Examples:", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_REGION", "HTTPS_PROXY", "Exit codes:", "130 cancelled" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }


    [GeneratedRegex(@"dotnet run --project src/VodRaw\.Cli -- (?<args>upload [^`\n]*--emulator)")]
    private static partial Regex ReadmeRunLine();
}

/// <summary>The one table from a failure to an exit code (single uploads and batch files alike), row by row.</summary>
public sealed class ExitCodeTableTests
{
    public static TheoryData<Exception, int> Rows => new()
    {
        { new ArgumentException("x"), ExitCodes.Usage },
        { new UploadCanceledException(UploadInterruption.Paused, [], null, CancellationToken.None), ExitCodes.Cancelled },
        { new OperationCanceledException(), ExitCodes.Cancelled },
        { new FileChangedException("/a", "x"), ExitCodes.FileChanged },
        { new CredentialExpiredException(DateTimeOffset.UnixEpoch, "x"), ExitCodes.CredentialExpired },
        { new CommitOutcomeUnknownException("/p/f0.mp4", null, "x", null), ExitCodes.CommitUnknown },
        { new VodRawException(VodRawErrorCodes.CommitOutcomeUnknown, "x"), ExitCodes.CommitUnknown },
        { new VodRawException(VodRawErrorCodes.CheckpointInUse, "x"), ExitCodes.InUse },
        { new VodRawException(VodRawErrorCodes.NetworkError, "x"), ExitCodes.NetworkError },
        { new VodRawException(VodRawErrorCodes.Timeout, "x"), ExitCodes.NetworkError },
        { new CosException("UploadPart", "AccessDenied", "x"), ExitCodes.ServiceError },
        { new VodApiException("ApplyUpload", "InvalidParameterValue.MediaType", "x"), ExitCodes.ServiceError },
        { new IOException("disk"), ExitCodes.Usage },
        { new UnauthorizedAccessException("no"), ExitCodes.Usage },
        { new InvalidOperationException("bug"), ExitCodes.InternalError },
        { new PullFailedException("t", "FINISH", 60000, "x"), ExitCodes.ServiceError },
        { new PullStillRunningException("t", "PROCESSING", 40, TimeSpan.FromHours(1)), ExitCodes.StillRunning },
        { new PullOutcomeUnknownException("s", "x", null), ExitCodes.CommitUnknown },
        { new PullCanceledException("t", "s", true, null, CancellationToken.None), ExitCodes.Cancelled },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void MapsEachFailureToItsDocumentedExitCode(Exception failure, int expected) => Assert.Equal(expected, ExitCodes.For(failure));

    [Fact]
    public void AnIncompleteBatchAdvisesARetryOnlyWhenOneCanChangeTheOutcome()
    {
        var changedOnly = VodRaw.Cli.Batch.BatchRunner.IncompleteAdvice(failed: 0, changed: 2, notStarted: 0, resultsPath: null);
        Assert.DoesNotContain("retry", changedOnly, StringComparison.Ordinal);
        Assert.Contains("--reupload-changed", changedOnly, StringComparison.Ordinal);
        var failed = VodRaw.Cli.Batch.BatchRunner.IncompleteAdvice(failed: 3, changed: 0, notStarted: 1, resultsPath: "r.jsonl");
        Assert.Contains("retry the 4 not uploaded", failed, StringComparison.Ordinal);
        Assert.Contains("r.jsonl", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("--reupload-changed", failed, StringComparison.Ordinal);
    }
}
