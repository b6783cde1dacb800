using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

/// <summary>Server-side pulls against the emulator, which fetches from a loopback origin (spec/pull.md).</summary>
public sealed class PullTests : IAsyncLifetime
{
    private static readonly PullWaitOptions Quick = new() { InitialPollInterval = TimeSpan.FromMilliseconds(10), MaxPollInterval = TimeSpan.FromMilliseconds(40), Timeout = TimeSpan.FromSeconds(30) };

    private UploadHarness _h = null!;
    private LoopbackOrigin _origin = null!;

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync(new VodEmulatorOptions { SubAppIds = [101] });
        _origin = await LoopbackOrigin.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task PullsFromTheOriginAndReturnsAFileIdWhoseStoredBytesAreTheOrigins()
    {
        var content = Bytes(300_000);
        var url = _origin.Serve("/media/Wildlife.mp4", content);
        using var client = _h.Client();
        var seen = new List<PullProgress>();
        var result = await client.PullAndWaitAsync("ap-guangzhou", new VodPullRequest { MediaUrl = url.ToString(), MediaName = "Wildlife", SubAppId = 101 }, Quick, new SyncProgress(seen.Add));

        var media = Assert.Single(_h.Emulator.CommittedMedia);
        Assert.Equal(media.FileId, result.FileId);
        Assert.Equal(media.MediaUrl, result.MediaUrl);
        Assert.Null(result.CoverUrl);
        var stored = _h.Emulator.Objects.Single(o => result.MediaUrl.EndsWith(VodRaw.Signing.CosEncoding.EncodeObjectPath(o.Key), StringComparison.Ordinal));
        Assert.Equal(_h.Emulator.BucketFor(101), stored.Bucket);
        Assert.Equal(content, stored.ReadAllBytes());
        var task = Assert.Single(_h.Emulator.PullTasks);
        Assert.Equal(("FINISH", result.TaskId, 0L), (task.Status, task.TaskId, task.ErrCode));
        Assert.Matches("^vodraw-[0-9a-f]{32}$", task.SessionId);
        Assert.Equal(task.SessionId, result.SessionId);
        Assert.Equal("FINISH", seen[^1].Status);
        Assert.Equal(100, seen[^1].Percent);
        Assert.Equal(1, _origin.Requests("/media/Wildlife.mp4"));
        Assert.Contains("\"MediaName\":\"Wildlife\"", media.ApplyUploadBody, StringComparison.Ordinal);
        var describe = _h.Recorder.Requests.Where(r => r.Action == "DescribeTaskDetail").Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.NotEmpty(describe);
        Assert.All(describe, d => Assert.Equal((result.TaskId, 101L), (d.GetProperty("TaskId").GetString(), d.GetProperty("SubAppId").GetInt64())));
    }

    [Fact]
    public async Task PullsACoverToo()
    {
        var media = _origin.Serve("/a.mp4", Bytes(1000));
        var coverBytes = Bytes(300, seed: 7);
        var cover = _origin.Serve("/c.png", coverBytes);
        using var client = _h.Client();
        var result = await client.PullAndWaitAsync("ap-guangzhou", new VodPullRequest { MediaUrl = media.ToString(), CoverUrl = cover.ToString() }, Quick);

        Assert.NotNull(result.CoverUrl);
        Assert.EndsWith(".png", result.CoverUrl, StringComparison.Ordinal);
        Assert.Equal(coverBytes, _h.Emulator.Objects.Single(o => o.Key.EndsWith(".png", StringComparison.Ordinal)).ReadAllBytes());
    }

    [Fact]
    public async Task AnOriginThatAnswers404FailsThePullWithTheTasksErrCodeAndMessage()
    {
        using var client = _h.Client();
        var e = await Assert.ThrowsAsync<PullFailedException>(() =>
            client.PullAndWaitAsync("ap-guangzhou", new VodPullRequest { MediaUrl = new Uri(_origin.BaseUri, "/absent.mp4").ToString() }, Quick));

        var task = Assert.Single(_h.Emulator.PullTasks);
        Assert.Equal(VodRawErrorCodes.PullFailed, e.Code);
        Assert.Equal(task.TaskId, e.TaskId);
        Assert.Equal(60000, e.TaskErrorCode);
        Assert.Equal("FINISH", e.TaskStatus);
        Assert.Contains("HTTP 404", e.TaskMessage, StringComparison.Ordinal);
        Assert.Contains($"The pull task {task.TaskId} failed: ErrCode 60000 (source file error): The origin answered HTTP 404", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
        Assert.False(string.IsNullOrEmpty(e.RequestId));
        Assert.Empty(_h.Emulator.CommittedMedia);
    }

    [Fact]
    public async Task TheDeadlineEndsTheWaitSayingTheTaskStillRunsWithItsTaskIdOnAFakeClock()
    {
        var release = new TaskCompletionSource();
        var content = Bytes(5000);
        var url = _origin.Serve("/slow.mp4", content, release.Task);
        var clock = new DelayRecordingClock(DateTimeOffset.UtcNow);
        using var client = _h.Client(o => o.TimeProvider = clock);
        var wait = new PullWaitOptions { Timeout = TimeSpan.FromSeconds(50), InitialPollInterval = TimeSpan.FromSeconds(1), MaxPollInterval = TimeSpan.FromSeconds(15) };

        var pull = client.PullAndWaitAsync("ap-guangzhou", new VodPullRequest { MediaUrl = url.ToString() }, wait);
        var delays = await clock.RunDelaysUntilAsync(pull);

        var e = await Assert.ThrowsAsync<PullStillRunningException>(() => pull);
        var task = Assert.Single(_h.Emulator.PullTasks);
        Assert.Equal(task.TaskId, e.TaskId);
        Assert.Equal(VodRawErrorCodes.PullStillRunning, e.Code);
        Assert.True(e.IsTransient);
        Assert.Contains(e.TaskStatus, new[] { "WAITING", "PROCESSING" });
        Assert.Equal($"The pull task {task.TaskId} is still {e.TaskStatus} at 0 % after a wait of 50 s: it keeps running at VOD, and DescribeTaskDetail with TaskId {task.TaskId} reports it (VOD keeps a task's details for three days).", e.Message);
        // Doubling from 1 s, capped at 15 s, the last wait cut to end at the deadline: 50 s of fake time, no real sleep.
        Assert.Equal(new[] { 1, 2, 4, 8, 15, 15, 5 }, delays.Select(d => (int)d.TotalSeconds));
        Assert.Equal(8, _h.Emulator.Attempts(EmulatorOperation.DescribeTaskDetail));
        Assert.NotEqual("FINISH", task.Status);

        // Nothing was lost: the task finishes at VOD, and waiting for it by its TaskId returns the media.
        release.SetResult();
        await WaitUntilAsync(() => _h.Emulator.PullTasks.Single().Status == "FINISH");
        var result = await client.WaitForPullAsync("ap-guangzhou", e.TaskId, wait: wait);
        Assert.Equal(content, _h.Emulator.Objects.Single(o => result.MediaUrl.EndsWith(o.Key, StringComparison.Ordinal)).ReadAllBytes());
    }

    [Fact]
    public async Task CancellingTheWaitLeavesTheTaskRunningAndSaysSo()
    {
        var release = new TaskCompletionSource();
        var url = _origin.Serve("/held.mp4", Bytes(2000), release.Task);
        using var client = _h.Client();
        using var cts = new CancellationTokenSource();
        var pull = client.PullAndWaitAsync("ap-guangzhou", new VodPullRequest { MediaUrl = url.ToString() }, Quick, cancellationToken: cts.Token);
        await WaitUntilAsync(() => _h.Emulator.Attempts(EmulatorOperation.DescribeTaskDetail) >= 2);
        await cts.CancelAsync();

        var e = await Assert.ThrowsAsync<PullCanceledException>(() => pull);
        var task = Assert.Single(_h.Emulator.PullTasks);
        Assert.Equal(task.TaskId, e.TaskId);
        Assert.True(e.PullMayHaveStarted);
        Assert.Equal(task.SessionId, e.SessionId);
        Assert.Equal(cts.Token, e.CancellationToken);
        Assert.Contains("Cancelling the wait does not cancel the task: it keeps running at VOD", e.Message, StringComparison.Ordinal);

        release.SetResult();
        await WaitUntilAsync(() => _h.Emulator.PullTasks.Single().Status == "FINISH");
        Assert.Equal(0, _h.Emulator.PullTasks.Single().ErrCode);
        Assert.Single(_h.Emulator.CommittedMedia);
    }

    [Fact]
    public async Task CancellingBeforePullUploadIsSentSaysNothingStarted()
    {
        using var client = _h.Client();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var e = await Assert.ThrowsAsync<PullCanceledException>(() => client.PullAsync("ap-guangzhou", new VodPullRequest { MediaUrl = _origin.Serve("/x.mp4", Bytes(10)).ToString() }, cts.Token));
        Assert.False(e.PullMayHaveStarted);
        Assert.Null(e.TaskId);
        Assert.Equal("The pull was cancelled before PullUpload was sent; nothing was started.", e.Message);
        Assert.Equal(0, _h.Emulator.Attempts(EmulatorOperation.PullUpload));
    }

    [Fact]
    public async Task CancellingWhilePullUploadIsInFlightSaysThePullMayHaveStartedWithItsSessionId()
    {
        _h.Emulator.Faults.Delay(EmulatorOperation.PullUpload, TimeSpan.FromSeconds(30));
        using var client = _h.Client();
        using var cts = new CancellationTokenSource();
        var pull = client.PullAsync("ap-guangzhou", new VodPullRequest { MediaUrl = _origin.Serve("/x.mp4", Bytes(10)).ToString(), SessionId = "in-flight-1" }, cts.Token);
        await WaitUntilAsync(() => _h.Emulator.Faults.FiredRules.Count == 1);
        await cts.CancelAsync();

        var e = await Assert.ThrowsAsync<PullCanceledException>(() => pull);
        Assert.True(e.PullMayHaveStarted);
        Assert.Null(e.TaskId);
        Assert.Equal("Cancelled while PullUpload was in flight: VOD may have started the pull (SessionId in-flight-1), and its TaskId was not received.", e.Message);
    }

    [Fact]
    public async Task ALostPullUploadReplyIsRepeatedWithTheSameSessionIdAndFindsTheOneTaskInsteadOfStartingASecond()
    {
        var content = Bytes(4000);
        var url = _origin.Serve("/once.mp4", content);
        _h.Emulator.Faults.LoseReply(EmulatorOperation.PullUpload);
        using var client = _h.Client();

        var accepted = await client.PullAsync("ap-guangzhou", new VodPullRequest { MediaUrl = url.ToString() });

        // The fault fired, the repeat met VOD's duplicate refusal, and the task was found by its SessionId.
        Assert.Single(_h.Emulator.Faults.FiredRules);
        Assert.Equal(2, _h.Emulator.Attempts(EmulatorOperation.PullUpload));
        Assert.Equal("InvalidParameterValue.SessionId", _h.Emulator.Requests.Last(r => r.Operation == EmulatorOperation.PullUpload).ErrorCode);
        Assert.Equal(1, _h.Emulator.Attempts(EmulatorOperation.DescribeTasks));
        var sessionIds = _h.Recorder.Requests.Where(r => r.Action == "PullUpload").Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("SessionId").GetString()).ToList();
        Assert.Equal(2, sessionIds.Count);
        Assert.Equal(sessionIds[0], sessionIds[1]);
        var task = Assert.Single(_h.Emulator.PullTasks);
        Assert.Equal((task.TaskId, task.SessionId), (accepted.TaskId, accepted.SessionId));
        Assert.Null(accepted.RequestId);

        var result = await client.WaitForPullAsync("ap-guangzhou", accepted.TaskId, wait: Quick);
        Assert.Single(_h.Emulator.CommittedMedia);
        Assert.Equal(content, _h.Emulator.Objects.Single(o => result.MediaUrl.EndsWith(o.Key, StringComparison.Ordinal)).ReadAllBytes());
        Assert.Equal(1, _origin.Requests("/once.mp4"));
    }

    [Fact]
    public async Task TheTaskALostReplyStartedIsFoundByItsSessionIdAmongNewerPulls()
    {
        // Another pull (someone else's SessionId) is accepted just after the lost attempt, so it is the newest task
        // DescribeTasks lists: only the SessionId tells the two apart.
        var clock = new ManualTimeProvider();
        VodEmulator? emulator = null;
        var decoyUrl = _origin.Serve("/decoy.mp4", Bytes(10));
        var pullUploads = 0;
        await using var h = await UploadHarness.StartAsync(new VodEmulatorOptions
        {
            TimeProvider = clock,
            RequestLogged = r =>
            {
                if (r.Operation == EmulatorOperation.PullUpload && Interlocked.Increment(ref pullUploads) == 1)
                {
                    clock.Advance(TimeSpan.FromSeconds(1));
                    emulator!.AcceptPull("someone-else", (id, now) => new VodRaw.Emulator.Vod.PullTask
                    {
                        TaskId = id, SessionId = "someone-else", MediaUrl = decoyUrl, MediaType = "mp4", Region = "ap-guangzhou", RequestBody = "{}", CreatedAt = now,
                    });
                }
            },
        });
        emulator = h.Emulator;
        h.Emulator.Faults.LoseReply(EmulatorOperation.PullUpload);
        using var client = h.Client();

        var accepted = await client.PullAsync("ap-guangzhou", new VodPullRequest { MediaUrl = _origin.Serve("/mine.mp4", Bytes(10)).ToString() });

        Assert.Single(h.Emulator.Faults.FiredRules);
        Assert.Equal(2, h.Emulator.PullTasks.Count);
        var mine = h.Emulator.PullTasks.Single(t => t.SessionId == accepted.SessionId);
        var decoy = h.Emulator.PullTasks.Single(t => t.SessionId == "someone-else");
        Assert.True(decoy.CreatedAt > mine.CreatedAt);
        Assert.Equal(mine.TaskId, accepted.TaskId);
    }

    [Fact]
    public async Task TheSameSessionIdInALaterCallIsRefusedAndNoSecondPullStarts()
    {
        var url = _origin.Serve("/dup.mp4", Bytes(100)).ToString();
        using var client = _h.Client();
        var first = await client.PullAsync("ap-guangzhou", new VodPullRequest { MediaUrl = url, SessionId = "batch-7-item-3" });

        var e = await Assert.ThrowsAsync<VodApiException>(() => client.PullAsync("ap-guangzhou", new VodPullRequest { MediaUrl = url, SessionId = "batch-7-item-3" }));
        Assert.Equal("InvalidParameterValue.SessionId", e.Code);
        Assert.Contains("no second pull was started", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
        Assert.Equal(1, e.Attempts);
        Assert.Equal(first.TaskId, Assert.Single(_h.Emulator.PullTasks).TaskId);
        Assert.Equal(0, _h.Emulator.Attempts(EmulatorOperation.DescribeTasks));
        Assert.Equal("batch-7-item-3", first.SessionId);
        Assert.False(string.IsNullOrEmpty(first.RequestId));
    }

    [Fact]
    public async Task EveryPullUploadReplyLostLeavesTheOutcomeUnknownNamingTheSessionId()
    {
        _h.Emulator.Faults.LoseReply(EmulatorOperation.PullUpload, times: 10);
        using var client = _h.Client();
        var e = await Assert.ThrowsAsync<PullOutcomeUnknownException>(() =>
            client.PullAsync("ap-guangzhou", new VodPullRequest { MediaUrl = _origin.Serve("/lost.mp4", Bytes(100)).ToString() }));

        var task = Assert.Single(_h.Emulator.PullTasks); // the first attempt started it; the repeats were duplicates
        Assert.Equal(task.SessionId, e.SessionId);
        Assert.Equal(VodRawErrorCodes.PullOutcomeUnknown, e.Code);
        Assert.Equal(4, e.Attempts);
        Assert.Equal(4, _h.Emulator.Faults.FiredRules.Single().Fired);
        Assert.Contains($"VOD may have started the pull with SessionId {task.SessionId}, and its TaskId was not received", e.Message, StringComparison.Ordinal);
        Assert.IsType<VodApiException>(e.InnerException);
    }

    [Fact]
    public async Task ABadRequestIsRefusedBeforeAnythingIsSent()
    {
        using var client = _h.Client();
        await Assert.ThrowsAsync<ArgumentException>(() => client.PullAsync("ap-guangzhou", new VodPullRequest { MediaUrl = "ftp://127.0.0.1/a.mp4" }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.PullAndWaitAsync("ap-guangzhou", new VodPullRequest { MediaUrl = "http://127.0.0.1/a.mp4", SessionId = new string('x', 51) }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.PullAndWaitAsync("ap-guangzhou", new VodPullRequest { MediaUrl = "http://127.0.0.1/a.mp4" }, new PullWaitOptions { Timeout = TimeSpan.Zero }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.WaitForPullAsync("ap-guangzhou", " "));
        Assert.Empty(_h.Emulator.Requests);
    }

    [Fact]
    public async Task WaitingForATaskThatDoesNotExistIsTheServicesRefusal()
    {
        using var client = _h.Client();
        var e = await Assert.ThrowsAsync<VodApiException>(() => client.WaitForPullAsync("ap-guangzhou", "1250000000-PullUpload-nope", wait: Quick));
        Assert.Equal(("DescribeTaskDetail", "InvalidParameterValue.TaskId"), (e.Operation, e.Code));
    }

    private static byte[] Bytes(int length, int seed = 1)
    {
        var content = new byte[length];
        new Random(seed).NextBytes(content);
        return content;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(5, limit.Token);
        }
    }

    /// <summary>Reports synchronously, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<PullProgress> report) : IProgress<PullProgress>
    {
        public void Report(PullProgress value) => report(value);
    }

    /// <summary>A fake clock that runs a wait's delays: each one-shot timer created is recorded, then fired by advancing the clock.</summary>
    private sealed class DelayRecordingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _pending = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (period == Timeout.InfiniteTimeSpan && dueTime != Timeout.InfiniteTimeSpan)
            {
                _pending.Enqueue(dueTime); // Task.Delay; the inactivity watchdog's periodic check is not one
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }

        /// <summary>Fires each delay as it is created until <paramref name="work"/> ends; returns the delays in order.</summary>
        public async Task<IReadOnlyList<TimeSpan>> RunDelaysUntilAsync(Task work)
        {
            var fired = new List<TimeSpan>();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!work.IsCompleted)
            {
                if (_pending.TryDequeue(out var due))
                {
                    fired.Add(due);
                    Advance(due);
                }
                else
                {
                    await Task.WhenAny(work, Task.Delay(2, limit.Token));
                }
            }

            return fired;
        }
    }
}
