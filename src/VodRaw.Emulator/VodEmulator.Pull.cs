using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Security.Cryptography;
using VodRaw.Emulator.Vod;

namespace VodRaw.Emulator;

// Server-side pulls (PullUpload): the tasks, their SessionId de-duplication, and the background fetches from loopback.
public sealed partial class VodEmulator
{
    /// <summary>How long an accepted SessionId makes another PullUpload with it a duplicate (PullUpload's documentation: three days).</summary>
    internal static readonly TimeSpan PullDeduplicationWindow = TimeSpan.FromDays(3);

    /// <summary>ErrCode of a pull whose origin could not be read (the documentation's "source file error").</summary>
    internal const long SourceFileError = 60000;

    /// <summary>ErrCode of a pull the emulator stopped before it finished (the documentation's "internal service error").</summary>
    internal const long InternalServiceError = 70000;

    private readonly ConcurrentDictionary<string, PullTask> _pullTasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _pullSessionIds = new(StringComparer.Ordinal);
    private readonly object _pullGate = new();
    private readonly ConcurrentDictionary<Task, bool> _pullJobs = new();
    private readonly LoopbackFetcher _fetcher = new();

    /// <summary>Every PullUpload accepted so far, oldest first, as each stands now (WAITING, PROCESSING, FINISH).</summary>
    public IReadOnlyList<EmulatorPullTask> PullTasks => [.. _pullTasks.Values.OrderBy(t => t.CreatedAt).ThenBy(t => t.TaskId, StringComparer.Ordinal).Select(t => t.Snapshot())];

    internal IEnumerable<PullTask> AllPullTasks => _pullTasks.Values;

    internal PullTask? FindPullTask(string taskId) => _pullTasks.TryGetValue(taskId, out var task) ? task : null;

    /// <summary>
    /// Accepts a pull and starts its fetch, or returns null when <paramref name="sessionId"/> was accepted within the
    /// de-duplication window (the request is then a duplicate: no task, no fetch).
    /// </summary>
    internal PullTask? AcceptPull(string sessionId, Func<string, DateTimeOffset, PullTask> create)
    {
        PullTask task;
        lock (_pullGate)
        {
            var now = Time.GetUtcNow();
            if (sessionId.Length > 0 && _pullSessionIds.TryGetValue(sessionId, out var accepted) && now - accepted < PullDeduplicationWindow)
            {
                return null;
            }

            var taskId = _options.AppId.ToString(CultureInfo.InvariantCulture) + "-PullUpload-" + Hex.Lower(RandomNumberGenerator.GetBytes(16));
            task = create(taskId, now);
            if (sessionId.Length > 0)
            {
                _pullSessionIds[sessionId] = now;
            }

            _pullTasks[taskId] = task;
        }

        var job = Task.Run(() => RunPullAsync(task));
        _pullJobs[job] = true;
        _ = job.ContinueWith(done => _pullJobs.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>Fetches the media (and cover) into the store, then records them as a committed upload would be.</summary>
    private async Task RunPullAsync(PullTask task)
    {
        var stopping = Stopping;
        task.Started(Time.GetUtcNow());
        BodyResult? media = null;
        BodyResult? cover = null;
        try
        {
            media = await FetchAsync(task.MediaUrl, task, stopping).ConfigureAwait(false);
            if (media.Length == 0)
            {
                throw new PullSourceException($"The origin sent an empty body for {task.MediaUrl}.");
            }

            if (task.CoverUrl is { } coverUrl)
            {
                cover = await FetchAsync(coverUrl, null, stopping).ConfigureAwait(false);
            }

            var session = CreatePulledSession(task);
            Store.PutObject(session.Bucket, session.MediaStoragePath.TrimStart('/'), media, null);
            media = null; // the store owns the file now
            if (cover is not null && session.CoverStoragePath is { } coverPath)
            {
                Store.PutObject(session.Bucket, coverPath.TrimStart('/'), cover, null);
                cover = null;
            }

            lock (session)
            {
                session.Committed = Commit(session);
            }

            task.Succeeded(session.Committed, Time.GetUtcNow());
        }
        catch (PullSourceException e)
        {
            task.Failed(SourceFileError, e.Message, Time.GetUtcNow());
        }
        catch (IOException e) when (!stopping.IsCancellationRequested)
        {
            task.Failed(SourceFileError, $"The origin's body for {task.MediaUrl} could not be read: {e.Message.TrimEnd('.')}.", Time.GetUtcNow());
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            task.Failed(InternalServiceError, "The emulator stopped before the pull finished.", Time.GetUtcNow());
        }
        finally
        {
            Discard(media);
            Discard(cover);
        }
    }

    private async Task<BodyResult> FetchAsync(Uri url, PullTask? progress, CancellationToken cancellationToken)
    {
        using var response = await _fetcher.GetAsync(url, cancellationToken).ConfigureAwait(false);
        progress?.Expect(response.Content.Headers.ContentLength);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(new CountingStream(stream, progress));
            try
            {
                return await Store.ReadBodyAsync(reader, limit: null, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>A session as ApplyUpload would have opened it, registered so the media resolves like uploaded media.</summary>
    private VodSession CreatePulledSession(PullTask task)
    {
        var directory = RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture)
            + RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);
        var session = new VodSession
        {
            SessionKey = Hex.Lower(RandomNumberGenerator.GetBytes(24)),
            Bucket = BucketFor(task.SubAppId),
            Region = task.Region,
            MediaStoragePath = task.MediaStoragePath ?? $"/{directory}/f0.{task.MediaType}",
            MediaType = task.MediaType,
            CoverStoragePath = task.CoverType is null ? null : $"/{directory}/cover.{task.CoverType}",
            SubAppId = task.SubAppId,
            TempCredential = EmulatorCredential.Generate("AKIDTMP", temporary: true),
            TempCredentialExpires = Time.GetUtcNow(),
            KeyPrefix = directory + "/",
            ApplyUploadBody = task.RequestBody,
        };
        _sessions[session.SessionKey] = session;
        return session;
    }

    private static void Discard(BodyResult? body)
    {
        if (body?.FilePath is { } path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Ends the fetches still running (the emulator is stopping) and waits for them, briefly.</summary>
    private async Task StopPullsAsync()
    {
        var jobs = _pullJobs.Keys.ToArray();
        if (jobs.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(jobs), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }

        _fetcher.Dispose();
    }

    /// <summary>Passes reads through, counting the bytes into the task's progress.</summary>
    private sealed class CountingStream(Stream inner, PullTask? task) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int n)
        {
            task?.Read(n);
            return n;
        }
    }
}
