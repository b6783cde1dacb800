using System.Globalization;
using VodRaw.Api;
using VodRaw.Http;

namespace VodRaw.Pull;

/// <summary>
/// A server-side pull: PullUpload (with a SessionId, so a repeat after a lost reply cannot start a second pull), then,
/// when asked, DescribeTaskDetail until the task finishes, fails or the wait's deadline passes (spec/pull.md).
/// </summary>
internal sealed class PullOperation(VodApiClient api, TimeProvider time)
{
    /// <summary>The task type DescribeTaskDetail and DescribeTasks report for a pull.</summary>
    public const string TaskType = "PullUpload";

    /// <summary>
    /// How far before the call DescribeTasks looks for the task a lost reply created (the client's clock may be behind
    /// the service's; TC3 itself tolerates 5 minutes).
    /// </summary>
    public static readonly TimeSpan LookupClockSkew = TimeSpan.FromMinutes(10);

    /// <summary>Tasks per DescribeTasks page (the API's maximum).</summary>
    public const int LookupPageSize = 100;

    /// <summary>Pages of DescribeTasks read before the lookup gives up.</summary>
    public const int LookupMaxPages = 10;

    public async Task<VodPullResponse> PullAsync(string region, VodPullRequest request, CancellationToken cancellationToken)
    {
        var body = PullRequestValidator.Validate(region, request);
        region = region.Trim();
        var started = time.GetUtcNow();
        var sent = false;
        var replyLost = false;
        PullUploadResult result;
        try
        {
            result = await api.PullUploadAsync(region, body, () => sent = true, () => replyLost = true,
                (failure, ct) => FindBySessionIdAsync(region, body, started, failure, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new PullCanceledException(null, body.SessionId, sent, e, cancellationToken);
        }
        catch (VodRawException e) when (replyLost)
        {
            // A layer that knows more throws a new, complete exception: the pull may be running without a known TaskId.
            var why = e.Code == ServiceErrorCodes.VodDuplicateSessionId
                ? "its reply was lost and VOD refused the repeat as a duplicate of its SessionId"
                : "its reply was lost and no later attempt settled it";
            throw new PullOutcomeUnknownException(body.SessionId, why, e);
        }

        if (string.IsNullOrEmpty(result.TaskId))
        {
            throw new VodApiException("PullUpload", VodRawErrorCodes.InvalidResponse, "PullUpload returned no TaskId.") { RequestId = result.RequestId };
        }

        return new VodPullResponse(result.TaskId, body.SessionId, result.RequestId);
    }

    /// <summary>
    /// The Verify of a duplicate-SessionId refusal after a lost reply: the task the lost attempt created, found among the
    /// tasks DescribeTasks lists as created since the call began (newest first). Not found: the refusal stands.
    /// </summary>
    private async Task<Attempt<PullUploadResult>> FindBySessionIdAsync(string region, PullUploadBody body, DateTimeOffset started, AttemptFailure refusal, CancellationToken cancellationToken)
    {
        var since = (started - LookupClockSkew).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string? scrollToken = null;
        for (var page = 0; page < LookupMaxPages; page++)
        {
            var tasks = await api.DescribeTasksAsync(region, new DescribeTasksBody
            {
                SubAppId = body.SubAppId,
                CreateTime = new TimeRange { After = since },
                Sort = new SortBy { Field = "CreateTime", Order = "Desc" },
                Limit = LookupPageSize,
                ScrollToken = scrollToken,
            }, cancellationToken).ConfigureAwait(false);
            foreach (var task in tasks.TaskSet ?? [])
            {
                if (task.TaskType == TaskType && task.SessionId == body.SessionId && !string.IsNullOrEmpty(task.TaskId))
                {
                    return Attempt<PullUploadResult>.Success(new PullUploadResult { TaskId = task.TaskId });
                }
            }

            scrollToken = tasks.ScrollToken;
            if (string.IsNullOrEmpty(scrollToken) || tasks.TaskSet is not { Count: > 0 })
            {
                break;
            }
        }

        return new AttemptFailure(FailureKind.ErrorResponse, refusal.Code,
            $"VOD refused SessionId {body.SessionId} as a duplicate after an earlier attempt's reply was lost, and DescribeTasks lists no PullUpload task with it created since {since}")
        {
            Status = refusal.Status,
            RequestId = refusal.RequestId,
        };
    }

    /// <summary>DescribeTaskDetail at growing intervals until the task finishes or fails, the deadline passes, or the token is cancelled.</summary>
    public async Task<VodPullResult> WaitAsync(string region, string taskId, long? subAppId, string? sessionId, PullWaitOptions wait, IProgress<PullProgress>? progress, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var interval = wait.InitialPollInterval;
        PullProgress? reported = null;
        try
        {
            while (true)
            {
                var detail = await api.DescribeTaskDetailAsync(region, new DescribeTaskDetailBody { TaskId = taskId, SubAppId = subAppId }, cancellationToken).ConfigureAwait(false);
                if (!string.IsNullOrEmpty(detail.TaskType) && detail.TaskType != TaskType)
                {
                    throw new ArgumentException($"The task {taskId} is a {detail.TaskType} task, not a PullUpload task.", nameof(taskId));
                }

                var task = detail.PullUploadTask;
                var status = detail.Status is { Length: > 0 } s ? s : task?.Status;
                if (string.IsNullOrEmpty(status))
                {
                    throw new VodApiException("DescribeTaskDetail", VodRawErrorCodes.InvalidResponse, $"DescribeTaskDetail returned no status for the task {taskId}.") { RequestId = detail.RequestId };
                }

                int? percent = task?.Progress is { } p ? (int)Math.Clamp(p, 0, 100) : null;
                var now = new PullProgress(taskId, status, percent);
                if (now != reported)
                {
                    progress?.Report(now);
                    reported = now;
                }

                switch (status)
                {
                    case "FINISH":
                        return Finished(taskId, detail, sessionId);
                    case "ABORTED":
                        throw new PullFailedException(taskId, status, task?.ErrCode ?? 0, task?.Message) { RequestId = detail.RequestId };
                }

                var elapsed = time.GetElapsedTime(started);
                var infinite = wait.Timeout == Timeout.InfiniteTimeSpan;
                if (!infinite && elapsed >= wait.Timeout)
                {
                    throw new PullStillRunningException(taskId, status, percent, wait.Timeout) { RequestId = detail.RequestId };
                }

                var pause = infinite || interval < wait.Timeout - elapsed ? interval : wait.Timeout - elapsed;
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
                interval = interval * 2 < wait.MaxPollInterval ? interval * 2 : wait.MaxPollInterval;
            }
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new PullCanceledException(taskId, sessionId, pullMayHaveStarted: true, e, cancellationToken);
        }
    }

    private static VodPullResult Finished(string taskId, DescribeTaskDetailResult detail, string? sessionId)
    {
        var task = detail.PullUploadTask
            ?? throw new VodApiException("DescribeTaskDetail", VodRawErrorCodes.InvalidResponse, $"DescribeTaskDetail reported the task {taskId} finished without its PullUploadTask.") { RequestId = detail.RequestId };
        if (task.ErrCode is { } code && code != 0)
        {
            throw new PullFailedException(taskId, "FINISH", code, task.Message) { RequestId = detail.RequestId };
        }

        var mediaUrl = task.MediaBasicInfo?.MediaUrl is { Length: > 0 } url ? url : task.FileUrl;
        if (string.IsNullOrEmpty(task.FileId) || string.IsNullOrEmpty(mediaUrl))
        {
            throw new VodApiException("DescribeTaskDetail", VodRawErrorCodes.InvalidResponse, $"DescribeTaskDetail reported the task {taskId} finished without a FileId and media URL.") { RequestId = detail.RequestId };
        }

        var cover = task.MediaBasicInfo?.CoverUrl;
        return new VodPullResult(taskId, task.FileId, mediaUrl, string.IsNullOrEmpty(cover) ? null : cover, detail.RequestId ?? string.Empty)
        {
            SessionId = string.IsNullOrEmpty(task.SessionId) ? sessionId : task.SessionId,
        };
    }
}
