using System.Collections.Concurrent;
using VodRaw.Checkpoints;
using VodRaw.Emulator;
using VodRaw.Tests.Support;
using VodRaw.Transfer;

namespace VodRaw.Tests.EndToEnd;

/// <summary>One client, many uploads: one memory budget over all of them, and committed results kept for exactly-once re-runs.</summary>
public sealed class SharedClientTests : IAsyncLifetime
{
    private const int PartSize = 1024 * 1024;
    private UploadHarness _h = null!;
    private readonly ConcurrentQueue<CheckpointNotice> _notices = new();

    public async Task InitializeAsync() => _h = await UploadHarness.StartAsync(new VodEmulatorOptions { Latency = TimeSpan.FromMilliseconds(5) });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private string CheckpointDirectory => Path.Combine(_h.TempDirectory, "state");

    [Fact]
    public async Task ConcurrentUploadsOfOneClientStayWithinItsMemoryBudget()
    {
        // Eight 6-part files and twenty small ones at once, 4 parts in flight each: 32+ buffers without a shared budget.
        var big = Enumerable.Range(0, 8).Select(i => _h.File($"big{i}.mp4", (6 * PartSize) - 100, seed: i).Path).ToList();
        var small = Enumerable.Range(0, 20).Select(i => _h.File($"small{i}.mp4", 3000 + i, seed: 100 + i).Path).ToList();
        using var client = _h.Client(o => o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 4, MemoryBudget = 3 * PartSize });

        var responses = await Task.WhenAll(big.Concat(small).Select(p => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = p })));

        Assert.Equal(28, responses.Select(r => r.FileId).Distinct().Count());
        Assert.Equal(28, _h.Emulator.CommittedSessions);
        var budget = client.Budget!;
        Assert.Equal(0, budget.Held);
        Assert.True(budget.PeakHeld <= 3 * PartSize, $"peak {budget.PeakHeld} bytes held");
        Assert.True(budget.PeakHeld > 2 * PartSize, $"peak {budget.PeakHeld}: the budget was never filled, so this test proves nothing");
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
        // Measured at the pool too, not only by the budget's own count (small files' arrays round up to 4 KiB or 8 KiB;
        // a streamed part reserves one chunk and rents it only while its body is written). The lower bound is one chunk:
        // how many bodies are written at the same instant depends on the machine's speed, which no test may.
        Assert.InRange(_h.Pool.PeakOutstandingBytes, PartContent.ChunkSize, (3 * PartSize) + (20 * 8192));
    }

    [Fact]
    public async Task AKeptCommitIsReturnedByTheSameUploadInsteadOfCommittingTwice()
    {
        var (media, _) = _h.File("once.mp4", (3 * PartSize) + 5);
        var store = new CheckpointStore(CheckpointDirectory) { KeepCommitted = true, Notice = _notices.Enqueue };
        VodUploadResponse first, again;
        using (var client = _h.Client(o => { o.Checkpoints = store; o.Transfer = new TransferOptions { PartSize = PartSize }; }))
        {
            first = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, Procedure = "P" });
        }

        Assert.False(first.AlreadyCommitted);
        Assert.NotNull(first.CheckpointId);
        var record = Assert.Single(store.List());
        Assert.Equal(first.FileId, record.CommittedFileId);
        _h.Emulator.ClearRequests();

        using (var client = _h.Client(o => { o.Checkpoints = store; o.Transfer = new TransferOptions { PartSize = PartSize }; }))
        {
            again = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, Procedure = "P" });
        }

        Assert.True(again.AlreadyCommitted);
        Assert.Equal(first.FileId, again.FileId);
        Assert.Equal(first.MediaUrl, again.MediaUrl);
        Assert.Empty(_h.Emulator.Requests); // nothing sent at all
        Assert.Equal(1, _h.Emulator.CommittedSessions);
        Assert.Contains(_notices, n => n.Kind == CheckpointNoticeKind.AlreadyCommitted);

        // The record holds no secret: the temporary credential was dropped at commit.
        var text = File.ReadAllText(Path.Combine(CheckpointDirectory, first.CheckpointId + ".checkpoint"));
        Assert.DoesNotContain("\"credential\"", text, StringComparison.Ordinal);
        Assert.True(store.Delete(first.CheckpointId!));
    }

    [Fact]
    public async Task AFileChangedSinceItsKeptCommitIsUploadedAgainWithANotice()
    {
        var (media, _) = _h.File("changes.mp4", PartSize / 2);
        var store = new CheckpointStore(CheckpointDirectory) { KeepCommitted = true, Notice = _notices.Enqueue };
        using var client = _h.Client(o => o.Checkpoints = store);
        var first = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });
        await File.AppendAllTextAsync(media, "more");

        var second = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });

        Assert.False(second.AlreadyCommitted);
        Assert.NotEqual(first.FileId, second.FileId);
        Assert.Equal(2, _h.Emulator.CommittedSessions);
        Assert.Contains(_notices, n => n.Kind == CheckpointNoticeKind.StartingFresh && n.Message.Contains("changed since it was committed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutKeepCommittedTheSameUploadCommitsAgain()
    {
        var (media, _) = _h.File("twice.mp4", 1000);
        using var client = _h.Client(o => o.Checkpoints = new CheckpointStore(CheckpointDirectory));
        var first = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });
        var second = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });
        Assert.Null(first.CheckpointId);
        Assert.NotEqual(first.FileId, second.FileId);
        Assert.Empty(new CheckpointStore(CheckpointDirectory).List());
    }
}
