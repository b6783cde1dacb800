using System.Text.Json;
using VodRaw.Cli;
using VodRaw.Cli.Batch;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Batch;

/// <summary>`vodraw upload` over a whole library, in process, against the emulator.</summary>
public sealed class BatchUploadTests : IAsyncLifetime
{
    private VodEmulator _emulator = null!;
    private BatchTree _tree = null!;

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync();
        _tree = new BatchTree();
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _tree.Dispose();
    }

    private string Checkpoints => Path.Combine(_tree.Root, "state");

    private string ResultsPath => Path.Combine(_tree.Root, "results.jsonl");

    private string[] Args(params string[] more) =>
    [
        "upload", _tree.Library, "--region", "ap-guangzhou", "--vod-endpoint", _emulator.VodEndpoint.ToString(), "--cos-endpoint", _emulator.CosEndpoint + "{bucket}",
        "--checkpoint-dir", Checkpoints, "--part-size", "1MiB", "--quiet", .. BatchTree.Selection, .. more,
    ];

    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, Dictionary<string, string>? extra = null) => BatchCli.RunAsync(_emulator, args, extra);

    private static List<JsonElement> Lines(string path) => BatchCli.Lines(path);

    [Fact]
    public async Task ALibraryUploadsExactlyItsMediaOnceAndARerunSkipsThemAll()
    {
        Assert.True(_tree.FileCount >= 200, $"{_tree.FileCount} files");
        var (code, output, error) = await RunAsync(Args("--results", ResultsPath, "--json"));

        Assert.True(code == ExitCodes.Ok, error);
        var lines = Lines(ResultsPath);
        Assert.Equal(BatchTree.ExpectedMedia, lines.Count);
        Assert.All(lines, l => Assert.Equal("committed", l.GetProperty("status").GetString()));
        Assert.Equal(BatchTree.ExpectedMedia, lines.Select(l => l.GetProperty("fileId").GetString()).Distinct().Count());
        Assert.Equal(BatchTree.ExpectedMedia, _emulator.CommittedSessions);
        var keys = lines.Select(l => l.GetProperty("key").GetString()!).ToHashSet();
        Assert.DoesNotContain(keys, k => k.Contains("partial", StringComparison.Ordinal) || k.EndsWith(".ts", StringComparison.Ordinal) || k.EndsWith(".jpg", StringComparison.Ordinal) || k.EndsWith(".txt", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.EndsWith("hls/节目二/index.m3u8", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.EndsWith("夏天 合集/第一季/海边 001.mov", StringComparison.Ordinal) || k.Contains("夏天 合集/第一季/", StringComparison.Ordinal));
        Assert.Equal(BatchTree.Covers, lines.Count(l => l.GetProperty("coverUrl").ValueKind == JsonValueKind.String));
        // Each package's segments went up with it: 20 segment objects besides 184 media and 10 covers.
        Assert.Equal(BatchTree.ExpectedMedia + BatchTree.Covers + 20, _emulator.Objects.Count);
        var summary = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("batch");
        Assert.Equal(BatchTree.ExpectedMedia, summary.GetProperty("committed").GetInt32());
        Assert.Empty(Directory.GetFiles(Checkpoints, "*.checkpoint")); // the records went once the journal had them

        _emulator.ClearRequests();
        var (again, againOutput, againError) = await RunAsync(Args("--results", ResultsPath, "--json"));

        Assert.True(again == ExitCodes.Ok, againError);
        Assert.Empty(_emulator.Requests); // not one request: the journal knew
        Assert.Equal(BatchTree.ExpectedMedia, _emulator.CommittedSessions);
        Assert.Equal(BatchTree.ExpectedMedia, Lines(ResultsPath).Count); // one line per file, still
        Assert.Equal(BatchTree.ExpectedMedia, JsonDocument.Parse(againOutput.Trim()).RootElement.GetProperty("batch").GetProperty("alreadyCommitted").GetInt32());
    }

    [Fact]
    public async Task ASecondBatchOverTheSameJournalWhileOneRunsExitsInUseAndSendsNothing()
    {
        // The running batch holds its journal open exclusively; this stands in for it.
        var id = BatchJournal.IdOf(_emulator.Credential.SecretId, "ap-guangzhou", _emulator.VodEndpoint, null, Shard.All);
        var path = BatchJournal.PathOf(Checkpoints, id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var (code, output, _) = await RunAsync(Args("--json"));

            Assert.Equal(ExitCodes.InUse, code);
            var error = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("error");
            Assert.Equal("CheckpointInUse", error.GetProperty("code").GetString());
            Assert.Contains("another vodraw batch", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Empty(_emulator.Requests);
        }
    }

    [Fact]
    public async Task AJournalThatCannotBeWrittenEndsTheBatchWithOneJsonErrorObject()
    {
        if (!File.Exists("/dev/full"))
        {
            return; // Linux's /dev/full fails every write with ENOSPC, as a full disk does
        }

        var id = BatchJournal.IdOf(_emulator.Credential.SecretId, "ap-guangzhou", _emulator.VodEndpoint, null, Shard.All);
        var path = BatchJournal.PathOf(Checkpoints, id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, "/dev/full");

        var (code, output, _) = await RunAsync(Args("--json"));

        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var error = JsonDocument.Parse(line).RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("exitCode").GetInt32());
        Assert.Equal(ExitCodes.BatchIncomplete, code);
        Assert.Equal("BatchJournalWriteFailed", error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith("the batch journal could not be written: ", message, StringComparison.Ordinal);
        Assert.Contains("No space left on device", message, StringComparison.Ordinal);
        Assert.Contains("No file was committed by this run", message, StringComparison.Ordinal);
        Assert.Contains(path, message, StringComparison.Ordinal);
        Assert.Equal(0, error.GetProperty("committed").GetInt32());
        Assert.Equal(BatchTree.ExpectedMedia, error.GetProperty("notStarted").GetInt32());
        Assert.Equal(0, _emulator.CommittedSessions); // a file whose "started" line was not written is not uploaded
    }

    [Fact]
    public async Task ADryRunListsTheMediaWithSizesAndSendsNothing()
    {
        var (code, output, error) = await RunAsync(Args("--dry-run", "--json"));

        Assert.True(code == ExitCodes.Ok, error);
        Assert.Empty(_emulator.Requests);
        var dry = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("dryRun");
        Assert.Equal(BatchTree.ExpectedMedia, dry.GetProperty("count").GetInt32());
        var expected = Directory.GetFiles(_tree.Library, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("partial", StringComparison.Ordinal) && !f.EndsWith(".txt", StringComparison.Ordinal))
            .Sum(f => new FileInfo(f).Length);
        Assert.Equal(expected, dry.GetProperty("totalBytes").GetInt64());
        var hls = dry.GetProperty("media").EnumerateArray().Single(m => m.GetProperty("key").GetString()!.EndsWith("show one/index.m3u8", StringComparison.Ordinal));
        Assert.Equal(11, hls.GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task AFailedFileDoesNotStopTheOthersAndARerunRetriesIt()
    {
        _emulator.Faults.Fail(EmulatorOperation.ApplyUpload, 200, "FailedOperation.Unknown", occurrence: 7);
        var (code, _, error) = await RunAsync(Args("--results", ResultsPath));

        Assert.Equal(ExitCodes.BatchIncomplete, code);
        Assert.Single(_emulator.Faults.FiredRules);
        var failed = Assert.Single(Lines(ResultsPath), l => l.GetProperty("status").GetString() == "failed");
        Assert.Equal("FailedOperation.Unknown", failed.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("FailedOperation.Unknown", error, StringComparison.Ordinal);
        Assert.Equal(BatchTree.ExpectedMedia - 1, _emulator.CommittedSessions);

        var (again, _, againError) = await RunAsync(Args("--results", ResultsPath));

        Assert.True(again == ExitCodes.Ok, againError);
        Assert.Equal(BatchTree.ExpectedMedia, _emulator.CommittedSessions);
        var last = Lines(ResultsPath).Last();
        Assert.Equal(failed.GetProperty("path").GetString(), last.GetProperty("path").GetString());
        Assert.Equal("committed", last.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AFileChangedSinceItsCommitIsReportedNotReuploadedUnlessAsked()
    {
        var (code, _, error) = await RunAsync(Args());
        Assert.True(code == ExitCodes.Ok, error);
        var changed = Directory.GetFiles(_tree.Library, "clip 000.mp4", SearchOption.AllDirectories).Single();
        await File.AppendAllTextAsync(changed, "new ending");

        var (second, _, secondError) = await RunAsync(Args("--results", ResultsPath));

        Assert.Equal(ExitCodes.BatchIncomplete, second);
        Assert.Contains("changed since it was committed", secondError, StringComparison.Ordinal);
        // Nothing failed: the advice is the flag that changes the outcome, not a re-run that cannot.
        Assert.DoesNotContain("retry", secondError, StringComparison.Ordinal);
        Assert.Contains("add --reupload-changed", secondError, StringComparison.Ordinal);
        Assert.Equal(BatchTree.ExpectedMedia, _emulator.CommittedSessions);
        Assert.Equal("changed", Lines(ResultsPath).Single(l => l.GetProperty("path").GetString() == changed).GetProperty("status").GetString());

        var (third, _, thirdError) = await RunAsync(Args("--reupload-changed"));

        Assert.True(third == ExitCodes.Ok, thirdError);
        Assert.Equal(BatchTree.ExpectedMedia + 1, _emulator.CommittedSessions);
    }

    [Fact]
    public async Task EveryProblemOfAListFileIsReportedBeforeAnyRequest()
    {
        var outside = Path.Combine(_tree.Root, "escape");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "evil.m3u8"), "#EXTM3U\n#EXTINF:4,\n../../secret.ts\n#EXT-X-ENDLIST\n");
        var list = Path.Combine(_tree.Root, "media.jsonl");
        File.WriteAllLines(list,
        [
            """{"MediaFilePath": "library/clip 000.mp4", "MediaName": "first", "Procedure": "P1"}""",
            """{"MediaFilePath": "library/absent.mp4"}""",
            """not json at all""",
            """{"MediaFilePath": "library/clip 003.mp4", "ClassId": "seven"}""",
            """{"mediaFilePath": "escape/evil.m3u8"}""",
            """{"MediaFilePath": "library/clip 006.mp4", "Colour": "blue"}""",
            """{"CoverFilePath": "library/clip 000.jpg"}""",
        ]);

        var (code, output, error) = await RunAsync(
        [
            "upload", "--from-list", list, "--region", "ap-guangzhou", "--vod-endpoint", _emulator.VodEndpoint.ToString(), "--cos-endpoint", _emulator.CosEndpoint + "{bucket}",
            "--checkpoint-dir", Checkpoints, "--quiet",
        ]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(_emulator.Requests);
        foreach (var expected in new[] { "line 2", "line 3", "line 4", "line 5", "line 6", "line 7" })
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("line 1 ", error, StringComparison.Ordinal);
        Assert.Contains("absent.mp4", error, StringComparison.Ordinal);
        Assert.Contains("6 problems", error, StringComparison.Ordinal);
        Assert.Contains("nothing was uploaded", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task AListFileCarriesPerMediaMetadata()
    {
        var list = Path.Combine(_tree.Root, "media.jsonl");
        File.WriteAllLines(list,
        [
            "# exported from the old CMS",
            """{"MediaFilePath": "library/clip 000.mp4", "MediaName": "Opening", "Procedure": "Flow1", "ClassId": 12, "CoverFilePath": "library/clip 000.jpg"}""",
            "",
            """{"mediaFilePath": "library/hls/show one/index.m3u8", "sessionContext": "row-2"}""",
        ]);
        var results = Path.Combine(_tree.Root, "list-results.jsonl");

        var (code, _, error) = await RunAsync(
        [
            "upload", "--from-list", list, "--region", "ap-guangzhou", "--vod-endpoint", _emulator.VodEndpoint.ToString(), "--cos-endpoint", _emulator.CosEndpoint + "{bucket}",
            "--checkpoint-dir", Checkpoints, "--quiet", "--results", results, "--procedure", "DefaultFlow",
        ]);

        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(2, _emulator.CommittedSessions);
        var applies = _emulator.CommittedMedia.Select(m => m.ApplyUploadBody.Replace(" ", string.Empty, StringComparison.Ordinal)).ToList();
        Assert.Contains(applies, b => b.Contains("\"MediaName\":\"Opening\"", StringComparison.Ordinal) && b.Contains("\"Procedure\":\"Flow1\"", StringComparison.Ordinal) && b.Contains("\"ClassId\":12", StringComparison.Ordinal));
        Assert.Contains(applies, b => b.Contains("\"SessionContext\":\"row-2\"", StringComparison.Ordinal) && b.Contains("\"Procedure\":\"DefaultFlow\"", StringComparison.Ordinal));
        Assert.Equal(1, Lines(results).Count(l => l.GetProperty("coverUrl").ValueKind == JsonValueKind.String));
    }

    [Fact]
    public async Task AListFileStoringTwoMediaAtOnePathIsRefusedBeforeAnyRequest()
    {
        var list = Path.Combine(_tree.Root, "paths.jsonl");
        File.WriteAllLines(list,
        [
            """{"MediaFilePath": "library/clip 000.mp4", "SubAppId": 101, "MediaStoragePath": "/shows/a.mp4"}""",
            """{"MediaFilePath": "library/clip 012.mp4", "SubAppId": 102, "MediaStoragePath": "/shows/a.mp4"}""",
            """{"MediaFilePath": "library/clip 024.mp4", "SubAppId": 101, "MediaStoragePath": "/shows/b.mp4"}""",
            """{"MediaFilePath": "library/clip 036.mp4", "subAppId": 101, "mediaStoragePath": "/shows/a.mp4"}""",
        ]);
        string[] args =
        [
            "upload", "--from-list", list, "--region", "ap-guangzhou", "--vod-endpoint", _emulator.VodEndpoint.ToString(), "--cos-endpoint", _emulator.CosEndpoint + "{bucket}",
            "--checkpoint-dir", Checkpoints, "--quiet", "--shard", "0/2",
        ];

        var (code, output, error) = await RunAsync(args);

        // Line 4 repeats line 1's path in the same sub-application (line 2's is another's storage); every line counts, whatever the shard.
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("error: paths.jsonl line 4: MediaStoragePath /shows/a.mp4 of sub-application 101 is already given on line 1; one path holds one media. Nothing was uploaded.", error.Trim());
        Assert.Empty(output);
        Assert.Empty(_emulator.Requests);

        File.WriteAllLines(list, File.ReadAllLines(list)[..3]);
        var (dryCode, dryOutput, dryError) = await RunAsync([.. args, "--dry-run"]);
        Assert.True(dryCode == ExitCodes.Ok, dryError);
        Assert.Contains("nothing was sent", dryOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AListFileLineStoresItsMediaAtItsMediaStoragePath()
    {
        await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { PathModeSubAppIds = [101] });
        var list = Path.Combine(_tree.Root, "paths.jsonl");
        File.WriteAllLines(list,
        [
            """{"MediaFilePath": "library/clip 000.mp4", "MediaStoragePath": "/shows/opening.mp4", "CoverFilePath": "library/clip 000.jpg"}""",
            """{"MediaFilePath": "library/clip 012.mp4"}""",
        ]);

        var (code, _, error) = await BatchCli.RunAsync(emulator,
        [
            "upload", "--from-list", list, "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}",
            "--checkpoint-dir", Checkpoints, "--quiet", "--sub-app-id", "101",
        ]);

        Assert.True(code == ExitCodes.Ok, error);
        var bucket = emulator.BucketFor(101);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_tree.Library, "clip 000.mp4")), emulator.GetObject(bucket, "shows/opening.mp4")!.ReadAllBytes());
        Assert.Equal(File.ReadAllBytes(Path.Combine(_tree.Library, "clip 000.jpg")), emulator.GetObject(bucket, "shows/opening.mp4.cover.jpg")!.ReadAllBytes());
        // The line without one gets a path of the service's choosing: the command line gives no default.
        Assert.Equal(2, emulator.CommittedSessions);
        Assert.Single(emulator.CommittedMedia, m => !m.ApplyUploadBody.Contains("MediaStoragePath", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BatchOptionsThatCannotWorkAreRefusedBeforeAnyRequest()
    {
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["upload", _tree.Library, "--emulator"], "--recursive"),
            (Args("--cover", "x.jpg"), "--cover-pattern"),
            (Args("--no-resume"), "--no-resume"),
            (Args("--shard", "3/3"), "0 to 2"),
            (Args("--shard", "auto/4"), "JOB_COMPLETION_INDEX"),
            (Args("--include", "[abc"), "--include"),
            (Args("--max-files-in-flight", "0"), "--max-files-in-flight"),
            (Args("--limit-rate", "fast"), "--limit-rate"),
            (Args("--media-storage-path", "/a.mp4"), "error: --media-storage-path names where one media is stored; in a batch give MediaStoragePath per line of --from-list."),
        })
        {
            var (code, _, error) = await RunAsync(args);
            Assert.True(code == ExitCodes.Usage, $"{string.Join(' ', args)} → {code}: {error}");
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }

        Assert.Empty(_emulator.Requests);
    }
}
