using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using VodRaw.Checkpoints;

namespace VodRaw.Cli.Batch;

/// <summary>What a batch run was told on the command line, beyond the single-file options.</summary>
internal sealed record BatchSettings(
    string Region,
    bool Json,
    bool Quiet,
    bool DryRun,
    bool FailFast,
    bool ReuploadChanged,
    int MaxFilesInFlight,
    string? ResultsPath,
    Shard Shard);

/// <summary>
/// Runs a checked batch: skips what the journal says was committed (reporting files changed since), uploads the
/// rest with up to <see cref="BatchSettings.MaxFilesInFlight"/> at once on one client (one memory budget, one rate
/// cap), records each outcome in the journal before the results file, and maps the whole to one exit code.
/// </summary>
internal sealed class BatchRunner(CliEnvironment env, BatchSettings settings)
{
    /// <summary>The error code of a batch stopped because its journal could not be written.</summary>
    public const string JournalWriteFailedCode = "BatchJournalWriteFailed";

    /// <summary>Files the service committed whose journal line could not be written.</summary>
    private readonly ConcurrentQueue<(BatchItem Item, VodUploadResponse Response)> _unrecorded = new();
    private BatchJournal.WriteFailedException? _journalFailure;
    private int _committed;
    private int _skipped;
    private int _failed;
    private int _changed;
    private int _paused;
    private long _bytes;
    private readonly GarbageBound _garbage = new();

    public async Task<int> RunAsync(VodUploadClient client, CheckpointStore store, string journalId, IReadOnlyList<BatchItem> items, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        BatchJournal journal;
        ResultsFile? results;
        var journalPath = BatchJournal.PathOf(store.Directory, journalId);
        try
        {
            journal = BatchJournal.Open(store.Directory, journalId);
        }
        catch (IOException) when (File.Exists(journalPath))
        {
            // The journal is opened exclusively: an existing one that cannot be opened is another batch's, running
            // (the OS reports a sharing violation as a plain IOException; a permission problem is another exception).
            return ResultWriter.Failure(env, settings.Json, ExitCodes.InUse,
                $"another vodraw batch for the same account, region, sub-application and shard is running (its journal {journalPath} is in use); nothing was sent. Run this one again once it has finished: it skips what that one committed.",
                VodRawErrorCodes.CheckpointInUse);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ResultWriter.Failure(env, settings.Json, ExitCodes.Usage, "the batch journal cannot be opened: " + e.Message);
        }

        using var journalScope = journal;
        try
        {
            results = settings.ResultsPath is null ? null : new ResultsFile(settings.ResultsPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ResultWriter.Failure(env, settings.Json, ExitCodes.Usage, $"--results {settings.ResultsPath}: cannot be written ({e.Message}).");
        }

        using var resultsScope = results;
        var reporter = new ProgressReporter(env.Error, env.Interactive, settings.Quiet, env.Width);
        if (journal.Unreadable > 0)
        {
            reporter.Say($"vodraw: {journal.Unreadable} lines of the batch journal {journal.Path} cannot be read; their files are treated as not yet uploaded (a file with an upload checkpoint still resumes, and one already committed is found by it).");
        }

        var todo = new List<BatchItem>();
        foreach (var item in items)
        {
            if (journal.Latest(item.MediaPath) is { State: BatchJournal.EntryState.Committed } done)
            {
                if ((!item.IsUrl && !File.Exists(item.MediaPath)) || item.Stamp() == new FileStamp(done.Size, done.LastWrite))
                {
                    _skipped++;
                    results?.Success(item, "alreadyCommitted", done.FileId!, done.MediaUrl, done.CoverUrl, done.RequestId, 0, 0, 0);
                    if (done.CheckpointId is { } record)
                    {
                        TryDelete(store, record);
                    }

                    continue;
                }

                if (!settings.ReuploadChanged)
                {
                    _changed++;
                    var message = $"changed since it was committed as FileId {done.FileId}; not uploaded again (add --reupload-changed to upload it as new media).";
                    reporter.Say($"vodraw: {item.Key}: {message}");
                    results?.Failure(item, "changed", ExitCodes.BatchIncomplete, "FileChangedSinceCommit", message, done.RequestId, done.FileId);
                    continue;
                }
            }

            todo.Add(item);
        }

        var progress = new BatchProgress(reporter, todo.Count, todo.Sum(i => i.Bytes));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = settings.MaxFilesInFlight, CancellationToken = stop.Token }, async (item, ct) =>
            {
                await UploadOneAsync(client, store, journal, results, progress, item, stop, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        reporter.Finish();
        if (_journalFailure is { } journalFailure)
        {
            return JournalFailed(journalFailure, store, todo.Count);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var remaining = todo.Count - _committed - _failed;
        var interrupted = cancellationToken.IsCancellationRequested;
        var exitCode = interrupted ? ExitCodes.Cancelled : _failed + _changed > 0 || remaining > 0 ? ExitCodes.BatchIncomplete : ExitCodes.Ok;
        Summary(items.Count, remaining, seconds, exitCode, journal.Path);
        return exitCode;
    }

    private async Task UploadOneAsync(VodUploadClient client, CheckpointStore store, BatchJournal journal, ResultsFile? results, BatchProgress progress, BatchItem item, CancellationTokenSource stop, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        VodUploadResponse? response = null;
        try
        {
            // A file whose start is not in the journal is not uploaded (the write below throws first).
            journal.Started(item.MediaPath, item.Key);
            response = await client.UploadAsync(settings.Region, item.NewRequest(), progress.For(item), ct).ConfigureAwait(false);
            // The journal first: from here on a re-run skips this file; the results line follows; then the library's record goes.
            journal.Committed(item.MediaPath, item.Key, response, item.Stamp());
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            results?.Success(item, "committed", response.FileId, response.MediaUrl, response.CoverUrl, response.RequestId, response.BytesUploaded, response.BytesResumed, seconds);
            if (response.CheckpointId is { } record)
            {
                TryDelete(store, record);
            }

            Interlocked.Increment(ref _committed);
            Interlocked.Add(ref _bytes, response.BytesUploaded);
            progress.Done(item, ok: true);
        }
        catch (BatchJournal.WriteFailedException e)
        {
            if (response is not null)
            {
                // Committed, but the journal does not say so: only the upload's kept record (if it could be written) does.
                _unrecorded.Enqueue((item, response));
                Interlocked.Add(ref _bytes, response.BytesUploaded);
                progress.Done(item, ok: true);
            }

            await StopAsync(e, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Paused (Ctrl+C) or stopped by --fail-fast or a journal failure: the upload's checkpoint is kept; a re-run resumes it.
            Interlocked.Increment(ref _paused);
            progress.Done(item, ok: false);
        }
        catch (Exception e)
        {
            var (exitCode, code, message, requestId) = Describe(e);
            Interlocked.Increment(ref _failed);
            progress.Done(item, ok: false);
            progress.Reporter.Say($"error: {item.Key}: {message}" + (code is null ? string.Empty : $" (code {code}{(requestId is null ? string.Empty : ", request id " + requestId)})"));
            try
            {
                journal.Failed(item.MediaPath, item.Key, code, message);
            }
            catch (BatchJournal.WriteFailedException journalFailure)
            {
                await StopAsync(journalFailure, stop).ConfigureAwait(false);
                return;
            }

            results?.Failure(item, "failed", exitCode, code, message, requestId);
            if (settings.FailFast)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _garbage.Check();
        }
    }

    /// <summary>The journal cannot be written: nothing more is started, and the files in flight pause.</summary>
    private async Task StopAsync(BatchJournal.WriteFailedException e, CancellationTokenSource stop)
    {
        Interlocked.CompareExchange(ref _journalFailure, e, null);
        await stop.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The end of a batch whose journal could not be written: one error saying what this run committed, which of
    /// those commits the journal lacks (with their FileIds, and whether the upload's kept record still lets a re-run
    /// find them), and what was left; a re-run is suggested only when it would upload nothing twice.
    /// </summary>
    private int JournalFailed(BatchJournal.WriteFailedException failure, CheckpointStore store, int todo)
    {
        HashSet<(string Id, string FileId)> kept;
        try
        {
            kept = store.List().Where(c => c.CommittedFileId is not null).Select(c => (c.Id, c.CommittedFileId!)).ToHashSet();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            kept = [];
        }

        var unrecorded = _unrecorded.OrderBy(u => u.Item.Key, StringComparer.Ordinal)
            .Select(u => (u.Item, u.Response, Kept: u.Response.CheckpointId is { } id && kept.Contains((id, u.Response.FileId))))
            .ToList();
        var notStarted = Math.Max(0, todo - _committed - unrecorded.Count - _failed - _paused);
        var text = new System.Text.StringBuilder();
        // The OS's message usually names the file already ("No space left on device : '/path'").
        var reason = failure.Message.TrimEnd('.');
        text.Append("the batch journal could not be written: ").Append(reason.Contains(failure.JournalPath, StringComparison.Ordinal) ? reason : $"{reason} ({failure.JournalPath})");
        text.Append("; the batch stopped. ").Append(_committed + unrecorded.Count == 0
            ? "No file was committed by this run"
            : string.Create(CultureInfo.InvariantCulture, $"{_committed} files committed by this run are in the journal"));
        foreach (var (item, response, recordKept) in unrecorded)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {item.Key} was committed as FileId {response.FileId} but is not in the journal, ");
            text.Append(recordKept
                ? $"and its upload record {response.CheckpointId} is kept, so a re-run finds it and sends nothing for it"
                : "and its upload record could not be kept either: a re-run would upload it again as new media");
        }

        text.Append(CultureInfo.InvariantCulture, $"; of the other files {_failed} failed, {_paused} were interrupted and {notStarted} were not started.");
        text.Append(unrecorded.All(u => u.Kept)
            ? " Once the journal can be written, running the same command again skips what was committed and uploads the rest."
            : " Running the same command again would upload the files above whose record was not kept again, as new media.");
        return ResultWriter.Failure(env, settings.Json, ExitCodes.BatchIncomplete, text.ToString(), JournalWriteFailedCode, details: w =>
        {
            w.WriteString("journal", failure.JournalPath);
            w.WriteNumber("committed", _committed);
            w.WriteNumber("failed", _failed);
            w.WriteNumber("paused", _paused);
            w.WriteNumber("notStarted", notStarted);
            w.WriteStartArray("notInJournal");
            foreach (var (item, response, recordKept) in unrecorded)
            {
                w.WriteStartObject();
                w.WriteString("path", item.MediaPath);
                w.WriteString("key", item.Key);
                w.WriteString("fileId", response.FileId);
                w.WriteString("mediaUrl", response.MediaUrl);
                w.WriteBoolean("recordKept", recordKept);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>An upload's failure as the single-file command reports it: the exit code from the one table (<see cref="ExitCodes.For"/>), code, message, request id.</summary>
    private static (int ExitCode, string? Code, string Message, string? RequestId) Describe(Exception e) => (ExitCodes.For(e), e switch
    {
        ArgumentException => "InvalidInput",
        VodRawException v => v.Code,
        IOException or UnauthorizedAccessException => "InvalidInput",
        _ => "InternalError",
    }, e switch
    {
        ArgumentException a => ResultWriter.ToolMessage(a),
        CommitOutcomeUnknownException { CheckpointId: not null } u => u.Message + " Running the batch again asks VOD with the same session first.",
        VodRawException { Code: VodRawErrorCodes.CheckpointInUse } v => v.Message,
        VodRawException v => Resumable(v),
        IOException or UnauthorizedAccessException => e.Message,
        _ => $"unexpected {e.GetType().Name}: {e.Message}",
    }, (e as VodRawException) is { Code: not VodRawErrorCodes.CheckpointInUse } r ? r.RequestId : null);

    private static string Resumable(VodRawException v) =>
        v.CheckpointId is null ? v.Message : v.Message + " Running the batch again resumes it.";

    private static void TryDelete(CheckpointStore store, string id)
    {
        try
        {
            store.Delete(id);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A record left behind costs a small file; the journal already holds the result.
        }
    }

    private void Summary(int files, int remaining, double seconds, int exitCode, string journalPath)
    {
        var mib = _bytes / (double)(1 << 20);
        if (settings.Json)
        {
            env.Out.WriteLine(ResultWriter.Json(w =>
            {
                w.WriteStartObject("batch");
                w.WriteNumber("exitCode", exitCode);
                w.WriteNumber("files", files);
                w.WriteNumber("committed", _committed);
                w.WriteNumber("alreadyCommitted", _skipped);
                w.WriteNumber("failed", _failed);
                w.WriteNumber("changed", _changed);
                w.WriteNumber("notStarted", Math.Max(0, remaining - _paused));
                w.WriteNumber("paused", _paused);
                w.WriteNumber("bytes", _bytes);
                w.WriteNumber("seconds", Math.Round(seconds, 3));
                w.WriteString("shard", settings.Shard.ToString());
                w.WriteString("journal", journalPath);
                if (settings.ResultsPath is not null)
                {
                    w.WriteString("results", Path.GetFullPath(settings.ResultsPath));
                }

                w.WriteEndObject();
            }));
        }

        var line = string.Create(CultureInfo.InvariantCulture,
            $"batch: {files} files: {_committed} uploaded, {_skipped} already committed, {_failed} failed, {_changed} changed since their commit; {ProgressReporter.Format(_bytes)} in {seconds:F1} s ({(seconds > 0 ? mib / seconds : 0):F1} MiB/s)");
        (settings.Json ? env.Error : env.Out).WriteLine(line);
        if (exitCode == ExitCodes.Cancelled)
        {
            env.Error.WriteLine($"paused: {remaining} files not finished; each interrupted one's checkpoint keeps the parts COS confirmed. Run the same command again to continue (committed files are skipped, interrupted ones resume).");
        }
        else if (exitCode == ExitCodes.BatchIncomplete)
        {
            env.Error.WriteLine(IncompleteAdvice(_failed, _changed, remaining - _paused, settings.ResultsPath));
        }
    }

    /// <summary>What to do about an incomplete batch, said only where doing it can change the outcome.</summary>
    internal static string IncompleteAdvice(int failed, int changed, int notStarted, string? resultsPath)
    {
        var which = resultsPath is null ? string.Empty : $" ({resultsPath} says which)";
        var advice = new List<string>();
        if (failed > 0 || notStarted > 0)
        {
            advice.Add(string.Create(CultureInfo.InvariantCulture, $"run the same command again to retry the {failed + notStarted} not uploaded"));
        }

        if (changed > 0)
        {
            advice.Add(string.Create(CultureInfo.InvariantCulture, $"{changed} changed since their commit and are not uploaded again unless you add --reupload-changed (running the same command again without it changes nothing for them)"));
        }

        return "vodraw: not every file was uploaded" + which + "; " + string.Join("; ", advice) + ".";
    }
}
