using System.Globalization;
using VodRaw.Checkpoints;

namespace VodRaw.Cli.Batch;

/// <summary>
/// <c>vodraw upload</c> with many files: checks the batch options, gathers and checks every media (all problems,
/// before any request), then lists it (<c>--dry-run</c>) or hands it to the <see cref="BatchRunner"/>.
/// </summary>
internal sealed class BatchCommand
{
    public const int MaxFilesInFlight = 256;
    private const int ProblemsShown = 50;
    private readonly CliEnvironment _env;
    private readonly bool _json;
    private readonly Inputs _inputs;
    private readonly VodUploadRequest _defaults;
    private readonly List<Glob> _include;
    private readonly List<Glob> _exclude;
    private readonly Shard _shard;

    private BatchCommand(CliEnvironment env, bool json, Inputs inputs, VodUploadRequest defaults, List<Glob> include, List<Glob> exclude, Shard shard)
    {
        _env = env;
        _json = json;
        _inputs = inputs;
        _defaults = defaults;
        _include = include;
        _exclude = exclude;
        _shard = shard;
    }

    /// <summary>The batch options as given.</summary>
    public sealed record Inputs(
        string[] Paths, string? ListFile, bool Recursive, bool NoFollowLinks, string[] Include, string[] Exclude, string[] CoverPatterns, string? Results, bool DryRun,
        int? MaxFilesInFlight, string? Shard, bool FailFast, bool ReuploadChanged, bool NoResume, bool Quiet);

    /// <summary>The batch, or null with the exit code of the usage error already printed.</summary>
    public static BatchCommand? Create(CliEnvironment env, bool json, Inputs inputs, VodUploadRequest defaults, out int failure)
    {
        failure = ExitCodes.Usage;
        string? Refuse(string message)
        {
            ResultWriter.Failure(env, json, ExitCodes.Usage, message);
            return message;
        }

        if (inputs.Paths.Contains("-"))
        {
            Refuse("standard input (-) is one media of its own; it cannot be part of a batch.");
            return null;
        }

        if (defaults.CoverFilePath is not null || defaults.CoverUrl is not null)
        {
            Refuse("--cover names the cover of one media; in a batch pair covers with --cover-pattern '{stem}.jpg' or give CoverFilePath per line of --from-list.");
            return null;
        }

        if (defaults.MediaStoragePath is not null)
        {
            Refuse("--media-storage-path names where one media is stored; in a batch give MediaStoragePath per line of --from-list.");
            return null;
        }

        if (inputs.NoResume)
        {
            Refuse("--no-resume does not apply to a batch: its journal and checkpoints are what upload each file exactly once; choose where they live with --checkpoint-dir.");
            return null;
        }

        if (inputs.MaxFilesInFlight is { } m && m is < 1 or > MaxFilesInFlight)
        {
            Refuse($"--max-files-in-flight {m}: must be between 1 and {MaxFilesInFlight}.");
            return null;
        }

        var include = new List<Glob>();
        var exclude = new List<Glob>();
        foreach (var (patterns, into, name) in new[] { (inputs.Include, include, "--include"), (inputs.Exclude, exclude, "--exclude") })
        {
            foreach (var pattern in patterns)
            {
                if (Glob.TryParse(pattern, out var error) is not { } glob)
                {
                    Refuse($"{name}: {error}.");
                    return null;
                }

                into.Add(glob);
            }
        }

        if (inputs.CoverPatterns.FirstOrDefault(p => !p.Contains("{stem}", StringComparison.Ordinal) && !p.Contains("{name}", StringComparison.Ordinal)) is { } fixedCover)
        {
            Refuse($"--cover-pattern {fixedCover}: name the cover from the media's name with {{stem}} or {{name}}, for example '{{stem}}.jpg'.");
            return null;
        }

        var shard = Shard.All;
        if (inputs.Shard is { } shardText)
        {
            if (Shard.TryParse(shardText, env.Variable, out var error) is not { } parsed)
            {
                Refuse(error!);
                return null;
            }

            shard = parsed;
        }

        return new BatchCommand(env, json, inputs, defaults, include, exclude, shard);
    }

    public async Task<int> RunAsync(VodCredential credential, VodUploadClientOptions options, string region, string? checkpointDirectory, CancellationToken cancellationToken)
    {
        string? throwaway = null;
        if (checkpointDirectory is null)
        {
            if (options.VodEndpoint == VodUploadClientOptions.DefaultVodEndpoint)
            {
                return ResultWriter.Failure(_env, _json, ExitCodes.Usage, "a batch keeps a journal and checkpoints, and HOME is not set: pass --checkpoint-dir DIR.");
            }

            // The embedded emulator forgets everything when it stops; so may the batch.
            throwaway = Directory.CreateTempSubdirectory("vodraw-batch-").FullName;
            checkpointDirectory = throwaway;
        }

        try
        {
            options.Transfer.MemoryBudget ??= options.Transfer.Concurrency is { } c ? c * options.Transfer.PartSize : Math.Max(TransferOptions.DefaultMemoryBudget, TransferOptions.DefaultConcurrency * options.Transfer.PartSize);
            var store = new CheckpointStore(checkpointDirectory)
            {
                KeepCommitted = true,
                Notice = notice =>
                {
                    // Per-file progress notes (resuming, already committed) are in the results; what needs a look is printed.
                    if (notice.Kind is not (CheckpointNoticeKind.Resuming or CheckpointNoticeKind.AlreadyCommitted) && !_inputs.Quiet)
                    {
                        _env.Error.WriteLine("vodraw: " + notice.Message);
                    }
                },
            };
            options.Checkpoints = store;
            using var client = new VodUploadClient(credential, options);
            var (items, problems, notMedia, inPackages) = await GatherAsync(client, region, cancellationToken).ConfigureAwait(false);
            if (problems.Count > 0)
            {
                return ReportProblems(problems);
            }

            var settings = new BatchSettings(region, _json, _inputs.Quiet, false, _inputs.FailFast, _inputs.ReuploadChanged,
                _inputs.MaxFilesInFlight ?? options.Transfer.Concurrency ?? TransferOptions.DefaultConcurrency, _inputs.Results, _shard);
            var journalId = BatchJournal.IdOf(credential.SecretId, region, options.VodEndpoint, _defaults.SubAppId, _shard);
            return await new BatchRunner(_env, settings).RunAsync(client, store, journalId, items, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return ResultWriter.Failure(_env, _json, ExitCodes.Usage, ResultWriter.ToolMessage(e));
        }
        catch (JsonLinesLog.LockedException e)
        {
            return ResultWriter.Failure(_env, _json, ExitCodes.Usage, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The runner turns a cancel into paused files and its summary; one that gets here came while checking.
            return ResultWriter.Failure(_env, _json, ExitCodes.Cancelled, "cancelled while the batch was being checked, before any file was uploaded.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // --json promises one object on every exit, a bug's too.
            return ResultWriter.Failure(_env, _json, ExitCodes.InternalError, $"unexpected {e.GetType().Name}: {e.Message}", "InternalError");
        }
        finally
        {
            if (throwaway is not null)
            {
                try
                {
                    Directory.Delete(throwaway, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>
    /// --dry-run: lists what the batch would upload and sends nothing to VOD or COS, so it needs no credential and no
    /// region (URL sources are probed at their origin). The client here only plans, locally: its placeholder
    /// credential and region are never sent anywhere.
    /// </summary>
    public async Task<int> DryRunAsync(VodUploadClientOptions options, string? region, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new VodUploadClient(new VodCredential("dry-run", "dry-run"), options);
            var (items, problems, notMedia, inPackages) = await GatherAsync(client, string.IsNullOrWhiteSpace(region) ? PlanningRegion : region, cancellationToken).ConfigureAwait(false);
            return problems.Count > 0 ? ReportProblems(problems) : DryRun(items, notMedia, inPackages);
        }
        catch (ArgumentException e)
        {
            return ResultWriter.Failure(_env, _json, ExitCodes.Usage, ResultWriter.ToolMessage(e));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ResultWriter.Failure(_env, _json, ExitCodes.Cancelled, "cancelled while the batch was being checked; nothing was uploaded.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // --json promises one object on every exit, a bug's too.
            return ResultWriter.Failure(_env, _json, ExitCodes.InternalError, $"unexpected {e.GetType().Name}: {e.Message}", "InternalError");
        }
    }

    /// <summary>Planning checks only that a region is named; a dry run without one plans with this (it is never called).</summary>
    private const string PlanningRegion = "ap-guangzhou";

    private int ReportProblems(List<string> problems)
    {
        var shown = problems.Take(ProblemsShown).ToList();
        foreach (var problem in shown.Skip(1))
        {
            _env.Error.WriteLine("error: " + problem);
        }

        var more = problems.Count > ProblemsShown ? string.Create(CultureInfo.InvariantCulture, $" (and {problems.Count - ProblemsShown} more)") : string.Empty;
        return ResultWriter.Failure(_env, _json, ExitCodes.Usage,
            string.Create(CultureInfo.InvariantCulture, $"{shown[0]}{(problems.Count > 1 ? $" — {problems.Count} problems in the batch{more}; nothing was uploaded." : " Nothing was uploaded.")}"));
    }

    private async Task<(List<BatchItem> Items, List<string> Problems, int NotMedia, int InPackages)> GatherAsync(VodUploadClient client, string region, CancellationToken cancellationToken)
    {
        Task<UploadPlan> Plan(VodUploadRequest request, CancellationToken ct) => client.PlanAsync(region, request, ct);
        var items = new List<BatchItem>();
        var problems = new List<string>();
        var notMedia = 0;
        var inPackages = 0;
        if (_inputs.Paths.Length > 0)
        {
            var selection = await BatchSource.FromPathsAsync(_inputs.Paths, _inputs.Recursive, !_inputs.NoFollowLinks, _include, _exclude, _inputs.CoverPatterns, _defaults, Plan, cancellationToken).ConfigureAwait(false);
            items.AddRange(selection.Items);
            problems.AddRange(selection.Problems);
            notMedia = selection.NotMedia;
            inPackages = selection.InPackages;
        }

        if (_inputs.ListFile is { } list)
        {
            var (listed, listProblems) = ListFile.Read(list, _defaults);
            problems.AddRange(listProblems);
            listed.RemoveAll(i => !_shard.Takes(i.Key));
            problems.AddRange(await BatchSource.CheckAsync(listed, Plan, cancellationToken).ConfigureAwait(false));
            items.AddRange(listed);
        }

        items.RemoveAll(i => !_shard.Takes(i.Key));
        // An empty shard is fine (its files fall in other shards); an empty batch is not.
        if (problems.Count == 0 && items.Count == 0 && _shard.Count == 1)
        {
            problems.Add("no media to upload: no file with a VOD media type was found (see --include; a folder needs --recursive).");
        }

        // The same file named twice (a path and a list line) is one media: refuse, saying where.
        var duplicates = items.GroupBy(i => i.MediaPath, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        foreach (var g in duplicates)
        {
            problems.Add($"{g.First().MediaPath} is named more than once ({string.Join(", ", g.Select(i => i.Where))}); each file is one media.");
        }

        return (items, problems, notMedia, inPackages);
    }

    private int DryRun(List<BatchItem> items, int notMedia, int inPackages)
    {
        var total = items.Sum(i => i.Bytes);
        if (_json)
        {
            _env.Out.WriteLine(ResultWriter.Json(w =>
            {
                w.WriteStartObject("dryRun");
                w.WriteNumber("count", items.Count);
                w.WriteNumber("totalBytes", total);
                w.WriteString("shard", _shard.ToString());
                w.WriteNumber("notMedia", notMedia);
                w.WriteNumber("packageFiles", inPackages);
                w.WriteStartArray("media");
                foreach (var item in items)
                {
                    w.WriteStartObject();
                    w.WriteString("key", item.Key);
                    w.WriteString("path", item.MediaPath);
                    w.WriteNumber("bytes", item.Bytes);
                    w.WriteNumber("files", item.Plan?.Files.Count ?? 1);
                    if (item.Unreachable is { } unreachable)
                    {
                        w.WriteString("error", unreachable);
                    }

                    if (item.Request.CoverFilePath is { } coverPath)
                    {
                        w.WriteString("cover", coverPath);
                    }
                    else if (item.Request.CoverUrl is { } coverUrl)
                    {
                        w.WriteString("cover", VodRaw.Sources.SourceUrl.DisplayOf(coverUrl));
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }));
            return items.Any(i => i.Unreachable is not null) ? ExitCodes.BatchIncomplete : ExitCodes.Ok;
        }

        foreach (var item in items)
        {
            var files = item.Plan?.Files.Count ?? 1;
            var hasCover = item.Request.CoverFilePath is not null || item.Request.CoverUrl is not null;
            var extra = (hasCover ? " +cover" : string.Empty) + (files > (hasCover ? 2 : 1)
                ? string.Create(CultureInfo.InvariantCulture, $" +{files - (hasCover ? 2 : 1)} package files") : string.Empty);
            _env.Out.WriteLine(item.Unreachable is { } unreachable ? $"{"?",12}  {item.Key}{extra}  (cannot be reached: {unreachable})" : $"{ProgressReporter.Format(item.Bytes),12}  {item.Key}{extra}");
        }

        var inShard = _shard.Count > 1 ? " in shard " + _shard : string.Empty;
        var skipped = notMedia > 0 ? string.Create(CultureInfo.InvariantCulture, $" {notMedia} files skipped: not a media type.") : string.Empty;
        var unreachableCount = items.Count(i => i.Unreachable is not null);
        var unreachableText = unreachableCount > 0 ? string.Create(CultureInfo.InvariantCulture, $" {unreachableCount} URLs cannot be reached (marked ?).") : string.Empty;
        _env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dry run: {items.Count} media, {ProgressReporter.Format(total)} ({total} bytes){inShard}; nothing was sent.{skipped}{unreachableText}"));
        return unreachableCount > 0 ? ExitCodes.BatchIncomplete : ExitCodes.Ok;
    }
}
