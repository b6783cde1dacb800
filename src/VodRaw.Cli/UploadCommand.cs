using System.CommandLine;
using System.Diagnostics;

namespace VodRaw.Cli;

/// <summary><c>vodraw upload &lt;path&gt; [options]</c>.</summary>
internal static class UploadCommand
{
    public const string SecretIdVariable = "TENCENTCLOUD_SECRET_ID";
    public const string SecretKeyVariable = "TENCENTCLOUD_SECRET_KEY";
    public const string TokenVariable = "TENCENTCLOUD_SESSION_TOKEN";
    public const string RegionVariable = "TENCENTCLOUD_REGION";

    public static Command Create(CliEnvironment env)
    {
        var paths = new Argument<string[]>("path")
        {
            Description = "Media files (an .m3u8 or .mpd manifest uploads what it references too), an http/https URL (streamed from its origin, nothing written to disk), folders with --recursive, or - for standard input (needs --media-type). More than one, a folder or --from-list makes a batch. A path that starts with -- goes after a -- separator.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var cover = new Option<string?>("--cover") { Description = "A cover image to upload with the media (a file, or an http/https URL)." };
        var sourceHeader = new Option<string[]>("--source-header") { Description = "A header for the origin of a URL source, 'Name: value' (e.g. Authorization); repeatable. Visible to other users of this machine in the process list: prefer --source-header-file for secrets." };
        var sourceHeaderFile = new Option<string?>("--source-header-file") { Description = "Headers for the origin of a URL source, one 'Name: value' per line (# comments); never printed or logged." };
        var procedure = new Option<string?>("--procedure") { Description = "Task flow to run after the upload." };
        var subAppId = new Option<long?>("--sub-app-id") { Description = "VOD sub-application ID." };
        var storageRegion = new Option<string?>("--storage-region") { Description = "Force a storage region, e.g. ap-chongqing." };
        var classId = new Option<long?>("--class-id") { Description = "Category ID." };
        var expireTime = new Option<string?>("--expire-time") { Description = "Expiry, ISO 8601 with zone, e.g. 2030-01-01T00:00:00Z." };
        var sourceContext = new Option<string?>("--source-context") { Description = "Passed to the upload callback (≤ 250 characters)." };
        var sessionContext = new Option<string?>("--session-context") { Description = "Passed to task-flow callbacks (≤ 1000 characters)." };
        var mediaName = new Option<string?>("--media-name") { Description = "Name shown in VOD (default: the file name without extension)." };
        var mediaType = new Option<string?>("--media-type") { Description = "Media type (default: the file extension)." };
        var coverType = new Option<string?>("--cover-type") { Description = "Cover type (default: the cover's extension)." };
        var mediaStoragePath = new Option<string?>("--media-storage-path")
        {
            Description = "Where VOD stores the media, starting with /, e.g. /dir1/video.mp4 (only a sub-application in FileID + Path mode may choose; see --sub-app-id). One media's: in a batch, give MediaStoragePath per line of --from-list.",
        };
        var concurrency = new Option<int?>("--concurrency") { Description = "Parts in flight, 1-64 (default: adaptive, from 4 up while throughput grows, within 64 MiB of part memory)." };
        var partSize = new Option<string?>("--part-size") { Description = "Part size, e.g. 8MiB or 16M (binary; MB is decimal). 1MiB-5GiB; default 8MiB." };
        var region = new Option<string?>("--region") { Description = $"Upload region (default: ${RegionVariable})." };
        var vodEndpoint = new Option<string?>("--vod-endpoint") { Description = "VOD API endpoint (default https://vod.tencentcloudapi.com/)." };
        var cosEndpoint = new Option<string?>("--cos-endpoint") { Description = "COS endpoint: a template with {bucket} (and {region}), or a plain URL (path style for an IP address or localhost, {bucket}.host otherwise)." };
        var localManifests = new Option<bool>("--local-manifests") { Description = "Find the files of an HLS/DASH package with the local parser instead of VOD's ParseStreamingManifest." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (result or error) on standard output." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress output." };
        var checkpointDir = new Option<string?>("--checkpoint-dir") { Description = "Where interrupted uploads keep their checkpoints (default: $XDG_STATE_HOME/vodraw, else ~/.local/state/vodraw)." };
        var noResume = new Option<bool>("--no-resume") { Description = "Start fresh and keep no checkpoint: Ctrl+C and failures abort what was started." };
        var uploadAgain = new Option<bool>("--upload-again") { Description = "Upload again, as new media, a file this command already committed (by default a re-run within 30 days answers with the recorded FileId and sends nothing)." };
        var limitRate = new Option<string?>("--limit-rate") { Description = "Cap the upload rate of the whole process, e.g. 20MiB (per second; size units as --part-size)." };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Batch: upload the media files in the folders given, and in their subfolders." };
        var noFollowLinks = new Option<bool>("--no-follow-links") { Description = "Batch: do not walk into folders that are symbolic links (by default they are walked, each folder and file once, loops included; links to files are taken either way)." };
        var include = new Option<string[]>("--include") { Description = "Batch: only files matching this glob (relative to the folder; * ? ** [a-z]; without / it matches the file name). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var exclude = new Option<string[]>("--exclude") { Description = "Batch: skip files matching this glob. Repeatable." };
        var fromList = new Option<string?>("--from-list") { Description = "Batch: a JSON Lines file, one object per media with VodUploadRequest's fields (MediaFilePath, CoverFilePath, MediaName, Procedure, ...)." };
        var results = new Option<string?>("--results") { Description = "Batch: append one JSON line per file as it finishes (FileId, URLs, or the error)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be uploaded, with sizes and the total; send nothing to VOD or COS (needs no credential or region; URL sources are probed at their origin)." };
        var maxFiles = new Option<int?>("--max-files-in-flight") { Description = "Batch: files uploading at once, 1-256 (default: --concurrency, or 4). Parts in flight stay within one memory budget." };
        var shard = new Option<string?>("--shard") { Description = "Batch: take only shard I of N (I/N, 0-based; auto/N reads JOB_COMPLETION_INDEX), by a stable hash of each file's path." };
        var coverPattern = new Option<string[]>("--cover-pattern") { Description = "Batch: pair a cover beside each media, e.g. '{stem}.jpg' ({stem}: name without extension, {name}: with it). Repeatable; the first that exists wins." };
        var failFast = new Option<bool>("--fail-fast") { Description = "Batch: stop at the first failed file (the others pause and resume on the next run)." };
        var reuploadChanged = new Option<bool>("--reupload-changed") { Description = "Batch: upload again, as new media, a file changed since its commit (default: report it)." };
        // The native (net8.0 AOT) build has no embedded emulator: the option stays parseable there, but hidden.
        var emulator = new Option<bool>("--emulator")
        {
            Description = "Start the embedded emulator and upload there (no account needed).",
#if !EMULATOR
            Hidden = true,
#endif
        };

        var command = new Command("upload", """
            Upload media (and covers) to Tencent Cloud VOD: one file, or a batch of many.

            Examples:
              vodraw upload video.mp4 --region ap-guangzhou
              vodraw upload video.mp4 --cover cover.png --procedure MyFlow --json
              vodraw upload hls/master.m3u8 --region ap-guangzhou     (uploads every segment it references)
              vodraw upload https://origin.example/clip.mp4 --cover https://origin.example/clip.jpg
                                                                      (streamed from the origin; resumable)
              ffmpeg ... -f mp4 - | vodraw upload - --media-type mp4 --region ap-guangzhou
              vodraw upload video.mp4 --emulator                      (no account needed)
              vodraw upload library/ -r --exclude '*.tmp' --cover-pattern '{stem}.jpg' --results done.jsonl
              vodraw upload --from-list media.jsonl --shard auto/8 --limit-rate 20MiB

            Environment: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN (temporary
            credential), TENCENTCLOUD_REGION (default region), HTTPS_PROXY / NO_PROXY (proxy).

            {{EXIT_CODES}}

            Resume: an interrupted upload (Ctrl+C, SIGTERM, a crash, a network down past the retries) keeps a
            checkpoint; run the same command again to continue where it stopped. `vodraw checkpoints list` shows
            them, `vodraw checkpoints abort ID` gives one up. A batch keeps a journal beside the checkpoints: run
            the same command again and committed files are skipped, interrupted ones resume, failed ones retry.
            """.Replace("{{EXIT_CODES}}", ExitCodes.HelpParagraph(), StringComparison.Ordinal))
        {
            paths, cover, sourceHeader, sourceHeaderFile, procedure, subAppId, storageRegion, classId, expireTime, sourceContext, sessionContext, mediaName,
            mediaType, coverType, mediaStoragePath, concurrency, partSize, limitRate, region, vodEndpoint, cosEndpoint, localManifests, json, quiet, checkpointDir, noResume, uploadAgain,
            recursive, noFollowLinks, include, exclude, fromList, results, dryRun, maxFiles, shard, coverPattern, failFast, reuploadChanged, emulator,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            var asJson = result.GetValue(json);
            var options = new VodUploadClientOptions();
            if (result.GetValue(concurrency) is { } c)
            {
                if (c is < 1 or > TransferOptions.MaxConcurrency)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"--concurrency {c}: must be between 1 and {TransferOptions.MaxConcurrency}.");
                }

                options.Transfer.Concurrency = c;
            }

            if (result.GetValue(partSize) is { } ps)
            {
                if (!SizeParser.TryParse(ps, out var bytes))
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"--part-size: cannot read '{ps}' as a size (for example 8MiB; MB means 1,000,000 bytes).");
                }

                if (bytes is < TransferOptions.MinPartSize or > TransferOptions.MaxPartSize)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"--part-size {ps}: must be between 1MiB and 5GiB.");
                }

                options.Transfer.PartSize = bytes;
            }

            if (result.GetValue(limitRate) is { } lr)
            {
                if (!SizeParser.TryParse(lr, out var rate) || rate < 1024)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"--limit-rate {lr}: give bytes per second as a size of at least 1KiB, for example 20MiB or 500KB.");
                }

                options.Transfer.MaxBytesPerSecond = rate;
            }

            if (result.GetValue(checkpointDir) is { } givenDirectory && string.IsNullOrWhiteSpace(givenDirectory))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "--checkpoint-dir: give a directory (or --no-resume to keep no checkpoint).");
            }

            if (EndpointArguments.Apply(result.GetValue(vodEndpoint), result.GetValue(cosEndpoint), options) is { } endpointError)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, endpointError);
            }

            if (result.GetValue(localManifests))
            {
                options.ManifestDiscovery = ManifestDiscovery.Local;
            }

            var pathValues = result.GetValue(paths) ?? [];
            var listFile = result.GetValue(fromList);
            var batchAsked = pathValues.Length != 1 || listFile is not null || result.GetValue(recursive) || result.GetValue(results) is not null
                || result.GetValue(shard) is not null || result.GetValue(dryRun) || result.GetValue(maxFiles) is not null
                || (result.GetValue(include)?.Length ?? 0) > 0 || (result.GetValue(exclude)?.Length ?? 0) > 0 || (result.GetValue(coverPattern)?.Length ?? 0) > 0
                || (pathValues.Length == 1 && pathValues[0] != "-" && Directory.Exists(pathValues[0]));
            if (pathValues.Length == 0 && listFile is null)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "give the media file(s) to upload, a folder with --recursive, or --from-list FILE.");
            }

            var fromStdin = pathValues is ["-"] && !batchAsked;
            if (fromStdin && string.IsNullOrEmpty(result.GetValue(mediaType)))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "reading standard input needs --media-type (for example --media-type mp4).");
            }

            var fromUrl = !batchAsked && pathValues.Length == 1 && IsUrl(pathValues[0]);
            var coverValue = result.GetValue(cover);
            if (SourceHeaders(result.GetValue(sourceHeader) ?? [], result.GetValue(sourceHeaderFile), out var headerError) is not { } headers)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, headerError!);
            }

            if (headers.Count > 0 && !fromUrl && !(coverValue is not null && IsUrl(coverValue)) && listFile is null)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "--source-header and --source-header-file are for URL sources; no URL was given.");
            }

            if (fromUrl && !Uri.TryCreate(pathValues[0], UriKind.Absolute, out _))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"cannot read the media URL '{Shown(pathValues[0])}' as a URL.");
            }

            if (coverValue is not null && IsUrl(coverValue) && !Uri.TryCreate(coverValue, UriKind.Absolute, out _))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"--cover: cannot read '{Shown(coverValue)}' as a URL.");
            }

            var request = new VodUploadRequest
            {
                MediaFilePath = fromStdin || batchAsked || fromUrl ? null : pathValues[0],
                MediaUrl = fromUrl ? new Uri(pathValues[0]) : null,
                CoverUrl = coverValue is not null && IsUrl(coverValue) ? new Uri(coverValue) : null,
                SourceHeaders = headers.Count > 0 ? headers : null,
                MediaStream = fromStdin ? (env.Input ?? Console.OpenStandardInput)() : null,
                CoverFilePath = coverValue is not null && IsUrl(coverValue) ? null : coverValue,
                Procedure = result.GetValue(procedure),
                SubAppId = result.GetValue(subAppId),
                StorageRegion = result.GetValue(storageRegion),
                ClassId = result.GetValue(classId),
                ExpireTime = result.GetValue(expireTime),
                SourceContext = result.GetValue(sourceContext),
                SessionContext = result.GetValue(sessionContext),
                MediaName = result.GetValue(mediaName),
                MediaType = result.GetValue(mediaType),
                CoverType = result.GetValue(coverType),
                MediaStoragePath = result.GetValue(mediaStoragePath),
            };

            Batch.BatchCommand? batch = null;
            if (batchAsked)
            {
                if (Batch.BatchCommand.Create(env, asJson, new Batch.BatchCommand.Inputs(
                    pathValues, listFile, result.GetValue(recursive), result.GetValue(noFollowLinks), result.GetValue(include) ?? [], result.GetValue(exclude) ?? [], result.GetValue(coverPattern) ?? [],
                    result.GetValue(results), result.GetValue(dryRun), result.GetValue(maxFiles), result.GetValue(shard), result.GetValue(failFast),
                    result.GetValue(reuploadChanged), result.GetValue(noResume), result.GetValue(quiet)), request, out var failure) is not { } created)
                {
                    return failure;
                }

                batch = created;
            }

            if (batch is not null && result.GetValue(dryRun))
            {
                // Sends nothing to VOD or COS: no credential, region or emulator is needed.
                return await batch.DryRunAsync(options, result.GetValue(region) ?? env.Variable(RegionVariable), cancellationToken).ConfigureAwait(false);
            }

            var upload = new UploadRun(env, asJson, result.GetValue(quiet));
            if (result.GetValue(emulator))
            {
#if EMULATOR
                var emulatorRegion = result.GetValue(region) ?? "ap-guangzhou";
                return await UploadRun.WithEmbeddedEmulatorAsync(env, result.GetValue(quiet), options, cancellationToken, credential => batch is null
                    ? upload.RunAsync(credential, options, emulatorRegion, request, cancellationToken)
                    : batch.RunAsync(credential, options, emulatorRegion, result.GetValue(checkpointDir), cancellationToken)).ConfigureAwait(false);
#else
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "--emulator needs the .NET build of vodraw (dotnet run --project src/VodRaw.Cli); this native build can upload to a running `vodraw emulator` with --vod-endpoint and --cos-endpoint.");
#endif
            }

            var secretId = env.Variable(SecretIdVariable);
            var secretKey = env.Variable(SecretKeyVariable);
            if (string.IsNullOrEmpty(secretId) || string.IsNullOrEmpty(secretKey))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage,
                    $"no credentials: set {SecretIdVariable} and {SecretKeyVariable} (and {TokenVariable} for a temporary credential). Secrets are never taken as command-line arguments. To try VodRaw without an account, add --emulator.");
            }

            var regionValue = result.GetValue(region) ?? env.Variable(RegionVariable);
            if (string.IsNullOrWhiteSpace(regionValue))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"no region: pass --region (for example ap-guangzhou) or set {RegionVariable}.");
            }

            VodCredential credential;
            try
            {
                credential = new VodCredential(secretId, secretKey, env.Variable(TokenVariable));
            }
            catch (ArgumentException e)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "invalid credential in the environment: " + e.Message);
            }

            if (batch is not null)
            {
                return await batch.RunAsync(credential, options, regionValue, result.GetValue(checkpointDir) ?? CheckpointDirectory.Default(env), cancellationToken).ConfigureAwait(false);
            }

            if (!result.GetValue(noResume) && !fromStdin)
            {
                if ((result.GetValue(checkpointDir) ?? CheckpointDirectory.Default(env)) is { } directory)
                {
                    // Committed uploads are kept as records, so a re-run (or the advice of exit 8) answers with the FileId instead of a second copy.
                    options.Checkpoints = new VodRaw.Checkpoints.CheckpointStore(directory)
                    {
                        Notice = notice => env.Error.WriteLine("vodraw: " + notice.Message),
                        KeepCommitted = true,
                        ReplaceCommitted = result.GetValue(uploadAgain),
                    };
                }
                else
                {
                    env.Error.WriteLine("vodraw: HOME is not set, so this upload keeps no checkpoint and cannot be resumed; pass --checkpoint-dir DIR to make it resumable.");
                }
            }

            return await upload.RunAsync(credential, options, regionValue, request, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>A URL argument as messages may show it: without its query (a presigned signature) or fragment.</summary>
    internal static string Shown(string url) => url.IndexOfAny(['?', '#']) is var at and >= 0 ? url[..at] + "?…" : url;

    /// <summary>Whether an argument names an http or https URL rather than a file.</summary>
    internal static bool IsUrl(string value) =>
        value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The origin headers from --source-header values and a --source-header-file, or null with the problem. The
    /// problem names the header, never its value.
    /// </summary>
    internal static Dictionary<string, string>? SourceHeaders(string[] values, string? file, out string? error)
    {
        error = null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lines = new List<(string Text, string Where)>();
        for (var i = 0; i < values.Length; i++)
        {
            lines.Add((values[i], "--source-header"));
        }

        if (file is not null)
        {
            try
            {
                var number = 0;
                foreach (var line in File.ReadAllLines(file))
                {
                    number++;
                    if (line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
                    {
                        lines.Add((line, $"--source-header-file line {number}"));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"--source-header-file: cannot read {file}: {e.Message}";
                return null;
            }
        }

        foreach (var (text, where) in lines)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = $"{where}: expected 'Name: value'.";
                return null;
            }

            var name = text[..colon].Trim();
            if (!headers.TryAdd(name, text[(colon + 1)..].Trim()))
            {
                error = $"{where}: {name} is given more than once.";
                return null;
            }
        }

        return headers;
    }
}

/// <summary>One upload from the command line: runs it, reports progress, maps the outcome to an exit code.</summary>
internal sealed class UploadRun(CliEnvironment env, bool json, bool quiet)
{
    public async Task<int> RunAsync(VodCredential credential, VodUploadClientOptions options, string region, VodUploadRequest request, CancellationToken cancellationToken)
    {
        var progress = new ProgressReporter(env.Error, env.Interactive, quiet, env.Width);
        try
        {
            using var client = new VodUploadClient(credential, options);
            var started = Stopwatch.GetTimestamp();
            var response = await client.UploadAsync(region, request, new GarbageBoundingProgress(progress, new GarbageBound()), cancellationToken).ConfigureAwait(false);
            progress.Finish();
            ResultWriter.Success(env, json, response, Stopwatch.GetElapsedTime(started).TotalSeconds);
            return ExitCodes.Ok;
        }
        catch (Exception e)
        {
            // No path ends in a stack trace: one line, one JSON object, a documented code (ExitCodes.For).
            progress.Finish();
            return Report(env, json, e);
        }
    }

    /// <summary>The failure of one upload as a message, a JSON object and its exit code.</summary>
    public static int Report(CliEnvironment env, bool json, Exception failure)
    {
        var exitCode = ExitCodes.For(failure);
        return failure switch
        {
            ArgumentException a => ResultWriter.Failure(env, json, exitCode, ResultWriter.ToolMessage(a)),
            UploadCanceledException c => ResultWriter.Failure(env, json, exitCode, CanceledMessage(c), "Cancelled", null, w =>
            {
                w.WriteString("outcome", c.Outcome.ToString());
                if (c.CheckpointId is not null)
                {
                    w.WriteString("checkpointId", c.CheckpointId);
                }

                if (c.Outcome == UploadInterruption.Paused)
                {
                    w.WriteNumber("bytesKept", c.BytesKept);
                }

                if (c.MediaStoragePath is not null)
                {
                    w.WriteString("mediaStoragePath", c.MediaStoragePath);
                }

                if (c.SessionContext is not null)
                {
                    w.WriteString("sessionContext", c.SessionContext);
                }

                ResultWriter.OpenUploads(w, c.OpenUploads);
            }),
            OperationCanceledException => ResultWriter.Failure(env, json, exitCode, "cancelled.", "Cancelled"),
            VodRawException v => ResultWriter.Failure(env, json, exitCode, v),
            IOException or UnauthorizedAccessException => ResultWriter.Failure(env, json, exitCode, failure.Message, "InvalidInput"),
            _ => ResultWriter.Failure(env, json, exitCode, $"unexpected {failure.GetType().Name}: {failure.Message}", "InternalError"),
        };
    }

    /// <summary>What a cancelled upload left, said as it is: what COS confirmed and is kept, or a commit that may have been applied.</summary>
    public static string CanceledMessage(UploadCanceledException e) => e.Outcome switch
    {
        UploadInterruption.Paused when e.BytesKept > 0 =>
            $"paused: {ProgressReporter.Format(e.BytesKept)} confirmed by COS are kept (checkpoint {e.CheckpointId}); run the same command again to resume, or `vodraw checkpoints abort {e.CheckpointId}` to give it up.",
        UploadInterruption.Paused =>
            $"paused before COS confirmed any part: nothing is kept yet, so what was sent goes up again; checkpoint {e.CheckpointId} keeps the session (run the same command again to resume, or `vodraw checkpoints abort {e.CheckpointId}` to give it up).",
        UploadInterruption.CommitMayHaveApplied when e.CheckpointId is not null =>
            $"cancelled while CommitUpload was in flight: the media may already be in VOD (MediaStoragePath {e.MediaStoragePath}); checkpoint {e.CheckpointId} records it, and running the same command again asks VOD with the same session instead of uploading again.",
        UploadInterruption.CommitMayHaveApplied =>
            $"cancelled while CommitUpload was in flight: the media may already be in VOD (MediaStoragePath {e.MediaStoragePath}{(e.SessionContext is null ? string.Empty : ", SessionContext " + e.SessionContext)}) and its FileId was not received; look it up before uploading again.",
        _ => e.Message,
    };

    /// <summary>Passes progress on, and bounds the garbage kept between gen-0 collections at each report.</summary>
    private sealed class GarbageBoundingProgress(IProgress<UploadProgress> inner, GarbageBound bound) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value)
        {
            inner.Report(value);
            bound.Check();
        }
    }

#if EMULATOR
    /// <summary>Starts the embedded emulator, points <paramref name="options"/> at it, and runs <paramref name="run"/> with its credential.</summary>
    public static async Task<int> WithEmbeddedEmulatorAsync(CliEnvironment env, bool quiet, VodUploadClientOptions options, CancellationToken cancellationToken, Func<VodCredential, Task<int>> run)
    {
        await using var emulator = await VodRaw.Emulator.VodEmulator.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!quiet)
        {
            env.Error.WriteLine($"emulator: VOD {emulator.VodEndpoint} COS {emulator.CosEndpoint} (throwaway keys, data in a temporary directory)");
        }

        options.VodEndpoint = emulator.VodEndpoint;
        options.CosEndpointTemplate = emulator.CosEndpoint + "{bucket}";
        return await run(new VodCredential(emulator.Credential.SecretId, emulator.Credential.SecretKey)).ConfigureAwait(false);
    }
#endif
}
