using System.Globalization;

namespace VodRaw;

/// <summary>
/// VOD's pull task finished without the media: DescribeTaskDetail reported it <c>FINISH</c> with a non-zero
/// <see cref="TaskErrorCode"/> (or <c>ABORTED</c>). No FileId was produced.
/// </summary>
public sealed class PullFailedException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="taskId">The pull task.</param>
    /// <param name="taskStatus">The task's final status (<c>FINISH</c> or <c>ABORTED</c>).</param>
    /// <param name="taskErrorCode">The task's ErrCode (0 only for an aborted task that gave none).</param>
    /// <param name="taskMessage">The task's error message, if any.</param>
    public PullFailedException(string taskId, string taskStatus, long taskErrorCode, string? taskMessage)
        : base(VodRawErrorCodes.PullFailed, Describe(taskId, taskStatus, taskErrorCode, taskMessage))
    {
        TaskId = taskId;
        TaskStatus = taskStatus;
        TaskErrorCode = taskErrorCode;
        TaskMessage = taskMessage;
        Operation = "PullUpload";
        IsTransient = taskErrorCode == InternalErrorCode;
    }

    private PullFailedException(PullFailedException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other, checkpointId, openUploads)
    {
        TaskId = other.TaskId;
        TaskStatus = other.TaskStatus;
        TaskErrorCode = other.TaskErrorCode;
        TaskMessage = other.TaskMessage;
    }

    /// <summary>ErrCode 70000: an internal error of the service, which its documentation says to retry.</summary>
    private const long InternalErrorCode = 70000;

    /// <summary>The pull task.</summary>
    public string TaskId { get; }

    /// <summary>The task's final status: <c>FINISH</c>, or <c>ABORTED</c> when VOD stopped it.</summary>
    public string TaskStatus { get; }

    /// <summary>
    /// The task's ErrCode as DescribeTaskDetail reported it: 40000 invalid input, 60000 a source file error (the
    /// origin could not be read, or the media is damaged), 70000 an internal service error.
    /// </summary>
    public long TaskErrorCode { get; }

    /// <summary>The task's error message, if any.</summary>
    public string? TaskMessage { get; }

    private protected override VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new PullFailedException(this, checkpointId, openUploads);

    private static string Describe(string taskId, string status, long code, string? message)
    {
        var meaning = code switch
        {
            40000 => " (invalid input)",
            60000 => " (source file error)",
            70000 => " (internal service error)",
            _ => string.Empty,
        };
        var what = status == "ABORTED" ? "was aborted" : "failed";
        return $"The pull task {taskId} {what}: ErrCode {code.ToString(CultureInfo.InvariantCulture)}{meaning}"
            + (string.IsNullOrWhiteSpace(message) ? "." : $": {message.TrimEnd('.')}.") + " VOD produced no FileId for it.";
    }
}

/// <summary>
/// The wait for a pull task ended at its deadline (<see cref="PullWaitOptions.Timeout"/>) while the task was still
/// running. Nothing was lost: the task keeps running at VOD; wait for it again with
/// <see cref="VodUploadClient.WaitForPullAsync"/> and <see cref="TaskId"/>.
/// </summary>
public sealed class PullStillRunningException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="taskId">The pull task.</param>
    /// <param name="taskStatus">Its last reported status (<c>WAITING</c> or <c>PROCESSING</c>).</param>
    /// <param name="percent">Its last reported progress, if any.</param>
    /// <param name="waited">How long the wait lasted.</param>
    public PullStillRunningException(string taskId, string taskStatus, int? percent, TimeSpan waited)
        : base(VodRawErrorCodes.PullStillRunning,
            $"The pull task {taskId} is still {taskStatus}{(percent is { } p ? " at " + p.ToString(CultureInfo.InvariantCulture) + " %" : string.Empty)} after a wait of {Format(waited)}: "
            + $"it keeps running at VOD, and DescribeTaskDetail with TaskId {taskId} reports it (VOD keeps a task's details for three days).")
    {
        TaskId = taskId;
        TaskStatus = taskStatus;
        Percent = percent;
        Operation = "DescribeTaskDetail";
        IsTransient = true;
    }

    private PullStillRunningException(PullStillRunningException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other, checkpointId, openUploads)
    {
        TaskId = other.TaskId;
        TaskStatus = other.TaskStatus;
        Percent = other.Percent;
    }

    /// <summary>The pull task, still running.</summary>
    public string TaskId { get; }

    /// <summary>Its last reported status: <c>WAITING</c> or <c>PROCESSING</c>.</summary>
    public string TaskStatus { get; }

    /// <summary>Its last reported progress (0–100), if any.</summary>
    public int? Percent { get; }

    private protected override VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new PullStillRunningException(this, checkpointId, openUploads);

    internal static string Format(TimeSpan span) =>
        span.TotalHours >= 1 && span.Minutes == 0 && span.Seconds == 0 ? ((long)span.TotalHours).ToString(CultureInfo.InvariantCulture) + " h"
        : span.TotalMinutes >= 1 && span.Seconds == 0 ? ((long)span.TotalMinutes).ToString(CultureInfo.InvariantCulture) + " min"
        : span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}

/// <summary>
/// PullUpload was sent and VodRaw cannot tell whether VOD started the pull: its reply was lost and no later attempt
/// settled it. VOD refuses another PullUpload with the same <see cref="SessionId"/> for three days, so repeating the
/// request cannot start a second pull; DescribeTasks lists the task, if there is one, with this SessionId.
/// </summary>
public sealed class PullOutcomeUnknownException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="sessionId">The SessionId the request carried.</param>
    /// <param name="why">What happened to the request, as a clause.</param>
    /// <param name="innerException">The last failure of PullUpload.</param>
    public PullOutcomeUnknownException(string sessionId, string why, Exception? innerException)
        : base(VodRawErrorCodes.PullOutcomeUnknown,
            $"PullUpload's outcome is unknown ({why}{(innerException is null ? string.Empty : ": " + innerException.Message.TrimEnd('.'))}): VOD may have started the pull with SessionId {sessionId}, and its TaskId was not received. "
            + "VOD refuses another PullUpload with this SessionId for three days, so repeating the request cannot start a second pull; DescribeTasks lists the task with its SessionId.",
            innerException)
    {
        SessionId = sessionId;
        Operation = "PullUpload";
        Attempts = innerException is VodRawException v ? v.Attempts : 1;
        RequestId = (innerException as VodRawException)?.RequestId;
        Status = (innerException as VodRawException)?.Status;
    }

    private PullOutcomeUnknownException(PullOutcomeUnknownException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other, checkpointId, openUploads)
    {
        SessionId = other.SessionId;
    }

    /// <summary>The SessionId the request carried: the key to find the task by, and to repeat the request safely.</summary>
    public string SessionId { get; }

    private protected override VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new PullOutcomeUnknownException(this, checkpointId, openUploads);
}

/// <summary>
/// A pull call was cancelled. Cancelling never cancels a pull task VOD accepted: with a <see cref="TaskId"/>, the task
/// keeps running at VOD (wait for it again with <see cref="VodUploadClient.WaitForPullAsync"/>); without one,
/// <see cref="PullMayHaveStarted"/> says whether PullUpload had been sent.
/// </summary>
public sealed class PullCanceledException : OperationCanceledException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="taskId">The pull task, when VOD's reply named it.</param>
    /// <param name="sessionId">The request's SessionId.</param>
    /// <param name="pullMayHaveStarted">Whether PullUpload was sent (the task may exist even without a TaskId).</param>
    /// <param name="innerException">The cancellation as it was raised.</param>
    /// <param name="token">The cancelled token.</param>
    public PullCanceledException(string? taskId, string? sessionId, bool pullMayHaveStarted, Exception? innerException, CancellationToken token)
        : base(Describe(taskId, sessionId, pullMayHaveStarted), innerException, token)
    {
        TaskId = taskId;
        SessionId = sessionId;
        PullMayHaveStarted = pullMayHaveStarted || taskId is not null;
    }

    /// <summary>The pull task, when it was known; it keeps running at VOD.</summary>
    public string? TaskId { get; }

    /// <summary>The request's SessionId (null when waiting for a task by its id alone).</summary>
    public string? SessionId { get; }

    /// <summary>Whether VOD may be pulling the media: true once PullUpload was sent.</summary>
    public bool PullMayHaveStarted { get; }

    private static string Describe(string? taskId, string? sessionId, bool sent) =>
        taskId is not null
            ? $"Stopped waiting for the pull task {taskId}. Cancelling the wait does not cancel the task: it keeps running at VOD, and DescribeTaskDetail with TaskId {taskId} reports it."
            : sent
                ? $"Cancelled while PullUpload was in flight: VOD may have started the pull (SessionId {sessionId}), and its TaskId was not received."
                : "The pull was cancelled before PullUpload was sent; nothing was started.";
}
