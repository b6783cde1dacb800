using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace VodRaw.Cli;

/// <summary><c>vodraw pull &lt;url&gt; [options]</c>: VOD pulls the media from a URL (PullUpload), optionally waited for.</summary>
internal static class PullCommand
{
    public static Command Create(CliEnvironment env)
    {
        var url = new Argument<string?>("url")
        {
            Description = "The http(s) URL VOD pulls the media from (a public or presigned URL; an .m3u8 playlist is pulled with its segments, DASH is not).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var mediaType = new Option<string?>("--media-type") { Description = "Media type, e.g. mp4 (default: VOD takes it from the URL)." };
        var mediaName = new Option<string?>("--media-name") { Description = "Name shown in VOD." };
        var coverUrl = new Option<string?>("--cover-url") { Description = "An http(s) URL of a cover image (gif, jpeg, png) for VOD to pull too." };
        var procedure = new Option<string?>("--procedure") { Description = "Task flow to run once the media is in VOD." };
        var expireTime = new Option<string?>("--expire-time") { Description = "Expiry, ISO 8601 with zone, e.g. 2030-01-01T00:00:00Z." };
        var storageRegion = new Option<string?>("--storage-region") { Description = "Force a storage region, e.g. ap-chongqing." };
        var classId = new Option<long?>("--class-id") { Description = "Category ID." };
        var sessionContext = new Option<string?>("--session-context") { Description = "Passed to task-flow callbacks (≤ 1000 characters)." };
        var sessionId = new Option<string?>("--session-id") { Description = "De-duplication key (≤ 50 characters): VOD refuses a second pull with it for three days (default: a random one per run, printed)." };
        var sourceContext = new Option<string?>("--source-context") { Description = "Passed to the upload callback (≤ 250 characters)." };
        var mediaStoragePath = new Option<string?>("--media-storage-path") { Description = "Where to store the media, starting with / (sub-applications in FileID + Path mode only)." };
        var subAppId = new Option<long?>("--sub-app-id") { Description = "VOD sub-application ID." };
        var wait = new Option<bool>("--wait") { Description = "Wait for the pull task to finish and print the FileId (default: print the TaskId once VOD accepted the pull)." };
        var timeout = new Option<string?>("--timeout") { Description = "With --wait: how long to wait, e.g. 90s, 10m, 1h30m (a bare number is seconds; default 1h). The task keeps running after it." };
        var taskId = new Option<string?>("--task-id") { Description = "Wait for a pull task VOD already accepted (instead of a URL), e.g. the one a --timeout named." };
        var region = new Option<string?>("--region") { Description = $"The VOD region to call (default: ${UploadCommand.RegionVariable})." };
        var vodEndpoint = new Option<string?>("--vod-endpoint") { Description = "VOD API endpoint (default https://vod.tencentcloudapi.com/)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (result or error) on standard output." };
        var quiet = new Option<bool>("--quiet") { Description = "No status lines while waiting." };
        var emulator = new Option<bool>("--emulator")
        {
            Description = "Start the embedded emulator and pull there (it pulls from loopback URLs only; no account needed).",
#if !EMULATOR
            Hidden = true,
#endif
        };

        var command = new Command("pull", """
            Have VOD pull media from a URL (PullUpload): VOD fetches it itself, nothing passes through this machine.

            Examples:
              vodraw pull https://example.com/video.mp4 --region ap-guangzhou
              vodraw pull https://example.com/video.mp4 --wait --timeout 30m --json
              vodraw pull https://example.com/hls/master.m3u8 --media-name Keynote --procedure MyFlow --wait
              vodraw pull --task-id 1250000000-PullUpload-... --wait     (wait again for a task)

            Pull or stream? Pull when the media is at a public or presigned URL. Upload through VodRaw (vodraw upload)
            when the origin is private or needs headers, or to check integrity end to end (CRC-64), see progress by
            bytes and resume.

            Retrying is safe: each run sends a SessionId (--session-id, or a random one), and VOD refuses a second pull
            with the same SessionId for three days. A lost reply is repeated with the same SessionId, and VodRaw then
            finds the task the first attempt started. Cancelling a wait (Ctrl+C, --timeout) does not cancel the task.

            {{EXIT_CODES}}
            """.Replace("{{EXIT_CODES}}", ExitCodes.HelpParagraph(), StringComparison.Ordinal))
        {
            url, mediaType, mediaName, coverUrl, procedure, expireTime, storageRegion, classId, sessionContext, sessionId, sourceContext,
            mediaStoragePath, subAppId, wait, timeout, taskId, region, vodEndpoint, json, quiet, emulator,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            var asJson = result.GetValue(json);
            var urlValue = result.GetValue(url);
            var taskValue = result.GetValue(taskId);
            if ((urlValue is null) == (taskValue is null))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, urlValue is null
                    ? "give the URL for VOD to pull, or --task-id to wait for a pull task VOD already accepted."
                    : "give either a URL to pull or --task-id to wait for an accepted pull task, not both.");
            }

            var waitOptions = new PullWaitOptions();
            if (result.GetValue(timeout) is { } timeoutText)
            {
                if (!result.GetValue(wait) && taskValue is null)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "--timeout is how long --wait waits: add --wait.");
                }

                if (!DurationParser.TryParse(timeoutText, out var limit) || limit <= TimeSpan.Zero)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"--timeout {timeoutText}: give a positive duration such as 90s, 10m or 1h30m.");
                }

                waitOptions.Timeout = limit;
            }

            var request = new VodPullRequest
            {
                MediaUrl = urlValue,
                MediaType = result.GetValue(mediaType),
                MediaName = result.GetValue(mediaName),
                CoverUrl = result.GetValue(coverUrl),
                Procedure = result.GetValue(procedure),
                ExpireTime = result.GetValue(expireTime),
                StorageRegion = result.GetValue(storageRegion),
                ClassId = result.GetValue(classId),
                SessionContext = result.GetValue(sessionContext),
                SessionId = result.GetValue(sessionId),
                SourceContext = result.GetValue(sourceContext),
                MediaStoragePath = result.GetValue(mediaStoragePath),
                SubAppId = result.GetValue(subAppId),
            };
            if (taskValue is not null)
            {
                if (request is not { MediaType: null, MediaName: null, CoverUrl: null, Procedure: null, ExpireTime: null, StorageRegion: null, ClassId: null, SessionContext: null, SessionId: null, SourceContext: null, MediaStoragePath: null })
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "--task-id waits for a pull VOD already accepted; the pull's own options (--media-name, --session-id, ...) belong to the run that started it.");
                }

                if (request.SubAppId is <= 0)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "--sub-app-id must be positive.");
                }
            }
            else
            {
                try
                {
                    // Every documented rule, before credentials, the emulator or any request.
                    PullRequestValidator.Validate("-", request);
                }
                catch (ArgumentException e)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, ResultWriter.ToolMessage(e));
                }
            }

            var options = new VodUploadClientOptions();
            if (EndpointArguments.Apply(result.GetValue(vodEndpoint), null, options) is { } endpointError)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, endpointError);
            }

            var run = new PullRun(env, asJson, result.GetValue(quiet), result.GetValue(wait) || taskValue is not null, waitOptions);
            if (result.GetValue(emulator))
            {
#if EMULATOR
                var emulatorRegion = result.GetValue(region) ?? "ap-guangzhou";
                return await UploadRun.WithEmbeddedEmulatorAsync(env, result.GetValue(quiet), options, cancellationToken,
                    credential => run.RunAsync(credential, options, emulatorRegion, request, taskValue, cancellationToken)).ConfigureAwait(false);
#else
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "--emulator needs the .NET build of vodraw (dotnet run --project src/VodRaw.Cli); this native build can call a running `vodraw emulator` with --vod-endpoint.");
#endif
            }

            if (EnvironmentCredential.Read(env, out var credentialError) is not { } credential)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, credentialError + " To try VodRaw without an account, add --emulator.");
            }

            var regionValue = result.GetValue(region) ?? env.Variable(UploadCommand.RegionVariable);
            if (string.IsNullOrWhiteSpace(regionValue))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"no region: pass --region (for example ap-guangzhou) or set {UploadCommand.RegionVariable}.");
            }

            return await run.RunAsync(credential, options, regionValue, request, taskValue, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}

/// <summary>One pull from the command line: PullUpload, the wait when asked, the result or the failure and its exit code.</summary>
internal sealed class PullRun(CliEnvironment env, bool json, bool quiet, bool wait, PullWaitOptions waitOptions)
{
    public async Task<int> RunAsync(VodCredential credential, VodUploadClientOptions options, string region, VodPullRequest request, string? taskId, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new VodUploadClient(credential, options);
            var started = Stopwatch.GetTimestamp();
            var status = new StatusLines(env.Error, quiet);
            if (taskId is null)
            {
                var accepted = await client.PullAsync(region, request, cancellationToken).ConfigureAwait(false);
                if (!wait)
                {
                    Accepted(accepted);
                    return ExitCodes.Ok;
                }

                if (!quiet)
                {
                    env.Error.WriteLine($"vodraw: VOD accepted the pull: task {accepted.TaskId} (SessionId {accepted.SessionId}); waiting for it.");
                }

                taskId = accepted.TaskId;
            }

            var result = await client.WaitForPullAsync(region, taskId, request.SubAppId, waitOptions, status, cancellationToken).ConfigureAwait(false);
            Finished(result, Stopwatch.GetElapsedTime(started).TotalSeconds);
            return ExitCodes.Ok;
        }
        catch (Exception e)
        {
            // No path ends in a stack trace: one line, one JSON object, a documented code (ExitCodes.For).
            return Report(e);
        }
    }

    private void Accepted(VodPullResponse accepted)
    {
        if (json)
        {
            env.Out.WriteLine(ResultWriter.Json(w =>
            {
                w.WriteString("taskId", accepted.TaskId);
                w.WriteString("sessionId", accepted.SessionId);
                w.WriteString("requestId", accepted.RequestId);
            }));
        }
        else
        {
            env.Out.WriteLine($"TaskId:    {accepted.TaskId}");
            env.Out.WriteLine($"SessionId: {accepted.SessionId}");
            env.Out.WriteLine($"RequestId: {accepted.RequestId ?? "-"}");
        }

        if (!quiet)
        {
            env.Error.WriteLine($"vodraw: VOD is pulling the media; `vodraw pull --task-id {accepted.TaskId} --wait` waits for it.");
        }
    }

    private void Finished(VodPullResult result, double seconds)
    {
        if (json)
        {
            env.Out.WriteLine(ResultWriter.Json(w =>
            {
                w.WriteString("fileId", result.FileId);
                w.WriteString("mediaUrl", result.MediaUrl);
                w.WriteString("coverUrl", result.CoverUrl);
                w.WriteString("taskId", result.TaskId);
                w.WriteString("sessionId", result.SessionId);
                w.WriteString("requestId", result.RequestId);
                w.WriteNumber("seconds", Math.Round(seconds, 3));
            }));
            return;
        }

        env.Out.WriteLine($"FileId:    {result.FileId}");
        env.Out.WriteLine($"MediaUrl:  {result.MediaUrl}");
        env.Out.WriteLine($"CoverUrl:  {result.CoverUrl ?? "-"}");
        env.Out.WriteLine($"TaskId:    {result.TaskId}");
        env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pulled:    in {seconds:F2} s"));
    }

    private int Report(Exception failure)
    {
        var exitCode = ExitCodes.For(failure);
        return failure switch
        {
            ArgumentException a => ResultWriter.Failure(env, json, exitCode, ResultWriter.ToolMessage(a)),
            PullCanceledException c => ResultWriter.Failure(env, json, exitCode, c.Message, "Cancelled", null, w =>
            {
                w.WriteString("outcome", c.TaskId is not null ? "TaskRunning" : c.PullMayHaveStarted ? "PullMayHaveStarted" : "NothingStarted");
                if (c.TaskId is not null)
                {
                    w.WriteString("taskId", c.TaskId);
                }

                if (c.SessionId is not null)
                {
                    w.WriteString("sessionId", c.SessionId);
                }
            }),
            OperationCanceledException => ResultWriter.Failure(env, json, exitCode, "cancelled.", "Cancelled"),
            PullStillRunningException s => ResultWriter.Failure(env, json, exitCode, s, s.Message + $" `vodraw pull --task-id {s.TaskId} --wait` waits for it again."),
            VodRawException v => ResultWriter.Failure(env, json, exitCode, v),
            _ => ResultWriter.Failure(env, json, exitCode, $"unexpected {failure.GetType().Name}: {failure.Message}", "InternalError"),
        };
    }

    /// <summary>One line on standard error per status or progress change the wait hears.</summary>
    private sealed class StatusLines(TextWriter error, bool quiet) : IProgress<PullProgress>
    {
        public void Report(PullProgress value)
        {
            if (!quiet)
            {
                error.WriteLine($"pull: task {value.TaskId} {value.Status}{(value.Percent is { } p ? " " + p.ToString(CultureInfo.InvariantCulture) + " %" : string.Empty)}");
            }
        }
    }
}
