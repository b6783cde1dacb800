namespace VodRaw.Emulator;

/// <summary>A PullUpload the emulator accepted, as it stands now (<see cref="VodEmulator.PullTasks"/>).</summary>
public sealed class EmulatorPullTask
{
    internal EmulatorPullTask(string taskId, string sessionId, string mediaUrl, string status, long errCode, string message, string? fileId, long? subAppId, DateTimeOffset createdAt)
    {
        TaskId = taskId;
        SessionId = sessionId;
        MediaUrl = mediaUrl;
        Status = status;
        ErrCode = errCode;
        Message = message;
        FileId = fileId;
        SubAppId = subAppId;
        CreatedAt = createdAt;
    }

    /// <summary>The TaskId PullUpload answered.</summary>
    public string TaskId { get; }

    /// <summary>The request's SessionId (the de-duplication key; empty when the request had none).</summary>
    public string SessionId { get; }

    /// <summary>The URL pulled.</summary>
    public string MediaUrl { get; }

    /// <summary><c>WAITING</c>, <c>PROCESSING</c> or <c>FINISH</c>.</summary>
    public string Status { get; }

    /// <summary>0 when the pull succeeded (or is not finished); 60000 when the origin could not be read.</summary>
    public long ErrCode { get; }

    /// <summary>Why the pull failed (empty otherwise).</summary>
    public string Message { get; }

    /// <summary>The pulled media's FileId, once the task finished with it.</summary>
    public string? FileId { get; }

    /// <summary>The sub-application of the pull, if any.</summary>
    public long? SubAppId { get; }

    /// <summary>When PullUpload accepted it, by the emulator's clock.</summary>
    public DateTimeOffset CreatedAt { get; }
}
