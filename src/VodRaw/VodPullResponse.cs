namespace VodRaw;

/// <summary>A pull VOD accepted: the task that fetches the media (<see cref="VodUploadClient.PullAsync"/>).</summary>
public sealed record VodPullResponse
{
    /// <summary>Creates a <see cref="VodPullResponse"/>.</summary>
    /// <param name="taskId">The pull task's ID.</param>
    /// <param name="sessionId">The SessionId the request carried.</param>
    /// <param name="requestId">The PullUpload RequestId, or null when the task was found by its SessionId.</param>
    public VodPullResponse(string taskId, string sessionId, string? requestId)
    {
        TaskId = taskId;
        SessionId = sessionId;
        RequestId = requestId;
    }

    /// <summary>The pull task's ID: DescribeTaskDetail reports its progress (<see cref="VodUploadClient.WaitForPullAsync"/>).</summary>
    public string TaskId { get; init; }

    /// <summary>The de-duplication key the request carried (the caller's, or the one VodRaw generated).</summary>
    public string SessionId { get; init; }

    /// <summary>
    /// The PullUpload RequestId. Null when PullUpload's reply was lost, its repeat was refused as a duplicate of the
    /// SessionId, and the task was found by that SessionId with DescribeTasks instead.
    /// </summary>
    public string? RequestId { get; init; }
}

/// <summary>A finished pull: the media VOD fetched (<see cref="VodUploadClient.PullAndWaitAsync"/>).</summary>
public sealed record VodPullResult
{
    /// <summary>Creates a <see cref="VodPullResult"/>.</summary>
    /// <param name="taskId">The pull task's ID.</param>
    /// <param name="fileId">The media's unique ID in VOD.</param>
    /// <param name="mediaUrl">The media's playback URL.</param>
    /// <param name="coverUrl">The cover's URL, when the pull had one.</param>
    /// <param name="requestId">The RequestId of the DescribeTaskDetail that reported the task finished.</param>
    public VodPullResult(string taskId, string fileId, string mediaUrl, string? coverUrl, string requestId)
    {
        TaskId = taskId;
        FileId = fileId;
        MediaUrl = mediaUrl;
        CoverUrl = coverUrl;
        RequestId = requestId;
    }

    /// <summary>The pull task's ID.</summary>
    public string TaskId { get; init; }

    /// <summary>The media's unique ID in VOD.</summary>
    public string FileId { get; init; }

    /// <summary>The media's playback URL.</summary>
    public string MediaUrl { get; init; }

    /// <summary>The cover's URL, when the pull had one.</summary>
    public string? CoverUrl { get; init; }

    /// <summary>The RequestId of the DescribeTaskDetail that reported the task finished.</summary>
    public string RequestId { get; init; }

    /// <summary>The pull's SessionId as the task reports it (null when the service does not say).</summary>
    public string? SessionId { get; init; }
}

/// <summary>Where a pull task stands, as one DescribeTaskDetail reported it (for <see cref="IProgress{T}"/>).</summary>
public sealed record PullProgress
{
    /// <summary>Creates a <see cref="PullProgress"/>.</summary>
    /// <param name="taskId">The pull task's ID.</param>
    /// <param name="status">The task's status: <c>WAITING</c>, <c>PROCESSING</c> or <c>FINISH</c>.</param>
    /// <param name="percent">The task's progress, 0–100, when the service reports one.</param>
    public PullProgress(string taskId, string status, int? percent)
    {
        TaskId = taskId;
        Status = status;
        Percent = percent;
    }

    /// <summary>The pull task's ID.</summary>
    public string TaskId { get; init; }

    /// <summary>The task's status: <c>WAITING</c>, <c>PROCESSING</c> or <c>FINISH</c> (<c>ABORTED</c> when VOD stopped it).</summary>
    public string Status { get; init; }

    /// <summary>The task's progress, 0–100, when the service reports one.</summary>
    public int? Percent { get; init; }
}
