using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VodRaw.Cli;

/// <summary>Prints results and errors as text or, with --json, as one JSON object on standard output.</summary>
internal static class ResultWriter
{
    public static void Success(CliEnvironment env, bool json, VodUploadResponse response, double seconds)
    {
        var mbps = seconds > 0 ? response.BytesUploaded / seconds / 1e6 : 0;
        if (json)
        {
            env.Out.WriteLine(Json(w =>
            {
                w.WriteString("fileId", response.FileId);
                w.WriteString("mediaUrl", response.MediaUrl);
                if (response.CoverUrl is null)
                {
                    w.WriteNull("coverUrl");
                }
                else
                {
                    w.WriteString("coverUrl", response.CoverUrl);
                }

                w.WriteString("requestId", response.RequestId);
                w.WriteNumber("bytes", response.BytesUploaded);
                w.WriteNumber("bytesResumed", response.BytesResumed);
                w.WriteNumber("seconds", Math.Round(seconds, 3));
                w.WriteNumber("megabytesPerSecond", Math.Round(mbps, 2));
                if (response.AlreadyCommitted)
                {
                    w.WriteBoolean("alreadyCommitted", true);
                }

                if (response.PreviousFileId is not null)
                {
                    w.WriteString("previousFileId", response.PreviousFileId);
                }

                OpenUploads(w, response.OpenUploads);
            }));
            WarnOpen(env, response);
            return;
        }

        env.Out.WriteLine($"FileId:    {response.FileId}");
        env.Out.WriteLine($"MediaUrl:  {response.MediaUrl}");
        env.Out.WriteLine($"CoverUrl:  {response.CoverUrl ?? "-"}");
        env.Out.WriteLine($"RequestId: {response.RequestId}");
        env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Uploaded:  {ProgressReporter.Format(response.BytesUploaded)} in {seconds:F2} s ({(seconds > 0 ? response.BytesUploaded / seconds / (1 << 20) : 0):F1} MiB/s)"));
        if (response.BytesResumed > 0)
        {
            env.Out.WriteLine($"Resumed:   {ProgressReporter.Format(response.BytesResumed)} were already uploaded");
        }

        WarnOpen(env, response);
    }

    /// <summary>Other uploads' multipart uploads that could not be aborted: a warning beside the success, never in its way.</summary>
    private static void WarnOpen(CliEnvironment env, VodUploadResponse response)
    {
        if (response.OpenUploads.Count > 0)
        {
            env.Error.WriteLine("warning: uploaded and committed; " + OpenMultipartUpload.Describe(response.OpenUploads));
        }
    }

    public static int Failure(CliEnvironment env, bool json, int exitCode, string message, string? code = null, string? requestId = null, Action<Utf8JsonWriter>? details = null)
    {
        var line = "error: " + message + (code is null ? string.Empty : $" (code {code}{(requestId is null ? string.Empty : ", request id " + requestId)})");

        // On a terminal, broken at spaces so that no word (a checkpoint id, a command to run) is split across lines.
        env.Error.WriteLine(env.Interactive ? TerminalText.Wrap(line, Math.Max(1, env.Width() - 1)) : line);
        if (json)
        {
            env.Out.WriteLine(Json(w =>
            {
                w.WriteStartObject("error");
                w.WriteNumber("exitCode", exitCode);
                w.WriteString("code", code);
                w.WriteString("message", message);
                w.WriteString("requestId", requestId);
                details?.Invoke(w);
                w.WriteEndObject();
            }));
        }

        return exitCode;
    }

    /// <summary>
    /// A library error: operation, code, request id, attempts, any multipart upload left open, and a pull's task and
    /// SessionId. <paramref name="message"/> replaces the exception's message (a command's own advice added).
    /// </summary>
    public static int Failure(CliEnvironment env, bool json, int exitCode, VodRawException e, string? message = null) =>
        Failure(env, json, exitCode, message ?? WithCheckpoint(e), e.Code, e.RequestId, w =>
        {
            switch (e)
            {
                case PullFailedException failed:
                    w.WriteString("taskId", failed.TaskId);
                    w.WriteString("taskStatus", failed.TaskStatus);
                    w.WriteNumber("taskErrCode", failed.TaskErrorCode);
                    w.WriteString("taskMessage", failed.TaskMessage);
                    break;
                case PullStillRunningException running:
                    w.WriteString("outcome", "TaskRunning");
                    w.WriteString("taskId", running.TaskId);
                    w.WriteString("taskStatus", running.TaskStatus);
                    if (running.Percent is { } percent)
                    {
                        w.WriteNumber("percent", percent);
                    }

                    break;
                case PullOutcomeUnknownException unknownPull:
                    w.WriteString("outcome", "PullMayHaveStarted");
                    w.WriteString("sessionId", unknownPull.SessionId);
                    break;
            }

            if (e is CommitOutcomeUnknownException unknown)
            {
                w.WriteString("outcome", UploadInterruption.CommitMayHaveApplied.ToString());
                if (unknown.MediaStoragePath is not null)
                {
                    w.WriteString("mediaStoragePath", unknown.MediaStoragePath);
                }

                if (unknown.SessionContext is not null)
                {
                    w.WriteString("sessionContext", unknown.SessionContext);
                }
            }

            if (e.CheckpointId is not null)
            {
                w.WriteString("checkpointId", e.CheckpointId);
            }

            w.WriteString("operation", e.Operation);
            if (e.Status is { } status)
            {
                w.WriteNumber("status", status);
            }

            w.WriteNumber("attempts", e.Attempts);
            w.WriteBoolean("transient", e.IsTransient);
            if (e is OriginException origin)
            {
                // Where the origin failed, as shown: never the URL's query or a header.
                w.WriteString("url", origin.Url);
                w.WriteString("host", origin.Host);
                w.WriteString("range", origin.Range);
            }

            OpenUploads(w, e.OpenUploads);
        });

    /// <summary>The message, with what the checkpoint it names does for a re-run.</summary>
    private static string WithCheckpoint(VodRawException e) => e.CheckpointId is not { } id ? e.Message : e switch
    {
        CommitOutcomeUnknownException => e.Message + $" Checkpoint {id} records the session: running the same command again asks VOD with it before anything else.",
        { Code: VodRawErrorCodes.CheckpointInUse } or { Code: VodRawErrorCodes.CommitOutcomeUnknown } => e.Message,
        _ => e.Message + $" The upload is resumable: run the same command again (checkpoint {id}).",
    };

    public static void OpenUploads(Utf8JsonWriter w, IReadOnlyList<OpenMultipartUpload> uploads)
    {
        if (uploads.Count == 0)
        {
            return;
        }

        w.WriteStartArray("openUploads");
        foreach (var u in uploads)
        {
            w.WriteStartObject();
            w.WriteString("bucket", u.Bucket);
            w.WriteString("key", u.Key);
            w.WriteString("uploadId", u.UploadId);
            w.WriteString("reason", u.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>An argument error as a tool says it: without .NET's " (Parameter 'x')" suffix.</summary>
    public static string ToolMessage(ArgumentException e)
    {
        var suffix = e.ParamName is null ? null : $" (Parameter '{e.ParamName}')";
        return suffix is not null && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
    }

    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
