using System.Globalization;
using System.Text.Json;
using VodRaw.Emulator;
using VodRaw.Tests.EndToEnd;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Batch;

/// <summary>
/// The batch as real processes: killed with SIGKILL mid-batch and run again (no file committed twice, every file
/// committed, one results line per file), and split into three shards run as three processes (disjoint, complete).
/// </summary>
[Collection(nameof(CrashResumeCollection))]
public sealed class BatchCrashTests : IAsyncLifetime
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(50);
    private VodEmulator _emulator = null!;
    private BatchTree _tree = null!;

    public async Task InitializeAsync()
    {
        // Latency makes a run last seconds, so a kill lands mid-batch; the sparse files are multipart (4 parts of 1 MiB).
        _emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { Latency = TimeSpan.FromMilliseconds(10) });
        _tree = new BatchTree(sparseLength: (4L << 20) - 7);
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _tree.Dispose();
    }

    private List<string> Args(string results, params string[] more) =>
    [
        "upload", _tree.Library, "--region", "ap-guangzhou", "--vod-endpoint", _emulator.VodEndpoint.ToString(), "--cos-endpoint", _emulator.CosEndpoint + "{bucket}",
        "--checkpoint-dir", Path.Combine(_tree.Root, "state"), "--part-size", "1MiB", "--quiet", "--json", "--results", results, .. BatchTree.Selection, .. more,
    ];

    private static List<JsonElement> Lines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList() : [];

    [Theory]
    [InlineData(1)]
    [InlineData(60)]
    [InlineData(150)]
    public async Task AKilledBatchRerunCommitsEveryFileExactlyOnce(int killAfterCommits)
    {
        var results = Path.Combine(_tree.Root, "results.jsonl");
        using (var first = CliProcess.Start(_emulator, Args(results)))
        {
            var killed = await first.KillAfterAsync(() => _emulator.CommittedSessions >= killAfterCommits, RunLimit);
            Assert.True(killed, "the batch finished before the kill: " + (await first.WaitAsync(RunLimit)).Error);
        }

        await CliProcess.QuietAsync(_emulator);
        var committedBeforeRerun = _emulator.CommittedSessions;
        Assert.InRange(committedBeforeRerun, killAfterCommits, BatchTree.ExpectedMedia - 1);

        using var second = CliProcess.Start(_emulator, Args(results));
        var (code, output, error) = await second.WaitAsync(RunLimit);

        Assert.True(code == 0, error);
        Assert.Equal(BatchTree.ExpectedMedia, _emulator.CommittedSessions); // none twice, none missing
        Assert.Equal(BatchTree.ExpectedMedia, _emulator.CommittedMedia.Select(m => m.FileId).Distinct().Count());
        var lines = Lines(results);
        Assert.Equal(BatchTree.ExpectedMedia, lines.Count);
        Assert.Equal(BatchTree.ExpectedMedia, lines.Select(l => l.GetProperty("path").GetString()).Distinct().Count());
        Assert.All(lines, l => Assert.Contains(l.GetProperty("status").GetString(), new[] { "committed", "alreadyCommitted" }));
        // Every results line names the FileId the emulator committed for it.
        var fileIds = _emulator.CommittedMedia.Select(m => m.FileId).ToHashSet();
        Assert.All(lines, l => Assert.Contains(l.GetProperty("fileId").GetString()!, fileIds));
        var summary = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("batch");
        Assert.Equal(BatchTree.ExpectedMedia, summary.GetProperty("committed").GetInt32() + summary.GetProperty("alreadyCommitted").GetInt32());
        Assert.Equal(0, _emulator.PendingMultipartUploads);
    }

    [Fact]
    public async Task CtrlCPausesTheBatchAndTheSameCommandFinishesIt()
    {
        var results = Path.Combine(_tree.Root, "results.jsonl");
        // The 45th CommitUpload is held back (10 s), so the batch cannot finish before the signal lands, however fast it runs.
        _emulator.Faults.Delay(EmulatorOperation.CommitUpload, TimeSpan.FromSeconds(10), occurrence: 45);
        using (var first = CliProcess.Start(_emulator, Args(results)))
        {
            Assert.True(await first.WaitUntilAsync(() => _emulator.CommittedSessions >= 40, RunLimit), "the batch ended before the interrupt");
            first.Interrupt();
            var (code, output, error) = await first.WaitAsync(RunLimit);
            Assert.True(code == 130, error);
            Assert.Contains("paused:", error, StringComparison.Ordinal);
            var summary = JsonDocument.Parse(output.Trim()).RootElement.GetProperty("batch");
            Assert.Equal(130, summary.GetProperty("exitCode").GetInt32());
            Assert.True(summary.GetProperty("committed").GetInt32() < BatchTree.ExpectedMedia);
        }

        using var second = CliProcess.Start(_emulator, Args(results));
        var (again, _, againError) = await second.WaitAsync(RunLimit);
        Assert.True(again == 0, againError);
        Assert.Equal(BatchTree.ExpectedMedia, _emulator.CommittedSessions);
        Assert.Equal(BatchTree.ExpectedMedia, Lines(results).Select(l => l.GetProperty("path").GetString()).Distinct().Count());
        Assert.Equal(0, _emulator.PendingMultipartUploads);
    }

    [Fact]
    public async Task ThreeShardsAsThreeProcessesUploadDisjointSetsThatMakeTheWhole()
    {
        var shards = Enumerable.Range(0, 3).Select(i => (Index: i, Results: Path.Combine(_tree.Root, string.Create(CultureInfo.InvariantCulture, $"results-{i}.jsonl")))).ToList();
        var processes = shards.Select(s => CliProcess.Start(_emulator, Args(s.Results, "--shard", string.Create(CultureInfo.InvariantCulture, $"{s.Index}/3")))).ToList();
        try
        {
            foreach (var p in processes)
            {
                var (code, _, error) = await p.WaitAsync(RunLimit);
                Assert.True(code == 0, error);
            }
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }

        var sets = shards.Select(s => Lines(s.Results).Select(l => l.GetProperty("key").GetString()!).ToHashSet()).ToList();
        Assert.All(sets, set => Assert.NotEmpty(set));
        Assert.Empty(sets[0].Intersect(sets[1]));
        Assert.Empty(sets[0].Intersect(sets[2]));
        Assert.Empty(sets[1].Intersect(sets[2]));
        Assert.Equal(BatchTree.ExpectedMedia, sets.Sum(s => s.Count));
        Assert.Equal(BatchTree.ExpectedMedia, _emulator.CommittedSessions);
    }
}
