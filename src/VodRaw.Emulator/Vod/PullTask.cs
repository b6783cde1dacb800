namespace VodRaw.Emulator.Vod;

/// <summary>
/// One PullUpload the emulator accepted: WAITING until its fetch starts, PROCESSING while the origin's bytes arrive,
/// FINISH with the media (ErrCode 0) or with the fetch's failure. Guarded by its own lock.
/// </summary>
internal sealed class PullTask
{
    private readonly object _gate = new();

    public required string TaskId { get; init; }

    public required string SessionId { get; init; }

    public string? SessionContext { get; init; }

    public required Uri MediaUrl { get; init; }

    public Uri? CoverUrl { get; init; }

    public required string MediaType { get; init; }

    public string? CoverType { get; init; }

    public string? MediaStoragePath { get; init; }

    public long? SubAppId { get; init; }

    public required string Region { get; init; }

    /// <summary>The PullUpload body as the client sent it (JSON), kept with the media like an ApplyUpload body.</summary>
    public required string RequestBody { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string Status { get; private set; } = "WAITING";

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public long BytesRead { get; private set; }

    public long? BytesExpected { get; private set; }

    public long ErrCode { get; private set; }

    public string Message { get; private set; } = string.Empty;

    public CommitResult? Media { get; private set; }

    public void Started(DateTimeOffset at)
    {
        lock (_gate)
        {
            Status = "PROCESSING";
            StartedAt = at;
        }
    }

    public void Expect(long? bytes)
    {
        lock (_gate)
        {
            BytesExpected = bytes;
        }
    }

    public void Read(long bytes)
    {
        lock (_gate)
        {
            BytesRead += bytes;
        }
    }

    public void Succeeded(CommitResult media, DateTimeOffset at)
    {
        lock (_gate)
        {
            Media = media;
            Status = "FINISH";
            FinishedAt = at;
            StartedAt ??= at;
        }
    }

    public void Failed(long errCode, string message, DateTimeOffset at)
    {
        lock (_gate)
        {
            ErrCode = errCode;
            Message = message;
            Status = "FINISH";
            FinishedAt = at;
            StartedAt ??= at;
        }
    }

    /// <summary>Everything DescribeTaskDetail and DescribeTasks report, read at one instant.</summary>
    public PullTaskState State()
    {
        lock (_gate)
        {
            var progress = Status == "FINISH" ? 100 : BytesExpected is > 0 and var total ? (int)Math.Min(99, BytesRead * 100 / total) : 0;
            return new PullTaskState(Status, StartedAt, FinishedAt, ErrCode, Message, Media, progress);
        }
    }

    public EmulatorPullTask Snapshot()
    {
        lock (_gate)
        {
            return new EmulatorPullTask(TaskId, SessionId, MediaUrl.ToString(), Status, ErrCode, Message, Media?.FileId, SubAppId, CreatedAt);
        }
    }
}

/// <summary>A pull task's state at one instant.</summary>
internal sealed record PullTaskState(string Status, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long ErrCode, string Message, CommitResult? Media, int Progress);
