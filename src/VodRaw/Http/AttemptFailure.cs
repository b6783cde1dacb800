namespace VodRaw.Http;

/// <summary>What kind of failure one attempt met.</summary>
internal enum FailureKind
{
    /// <summary>The connection failed before a complete reply arrived (the request may or may not have been applied).</summary>
    Transport,

    /// <summary>No byte moved for the inactivity timeout (the request may or may not have been applied).</summary>
    Timeout,

    /// <summary>The service answered with an error (status and/or code).</summary>
    ErrorResponse,

    /// <summary>The service answered success with an unusable body (no ETag, no UploadId, unreadable XML/JSON).</summary>
    InvalidResponse,

    /// <summary>The service's CRC-64 of what it stored differs from the bytes sent.</summary>
    IntegrityMismatch,
}

/// <summary>One failed attempt, as data: the retry table decides on it, and the exception is built from it once.</summary>
internal sealed record AttemptFailure(FailureKind Kind, string Code, string Detail)
{
    public int? Status { get; init; }

    public string? RequestId { get; init; }

    public string? TraceId { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    public Exception? Inner { get; init; }

    /// <summary>Whether the request may have reached the service although no usable reply came back.</summary>
    public bool ReplyMayBeLost => Kind is FailureKind.Transport or FailureKind.Timeout;
}

/// <summary>The result of one attempt: a value, or a failure for the retry table.</summary>
internal readonly struct Attempt<T>
{
    private Attempt(T? value, AttemptFailure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public AttemptFailure? Failure { get; }

    public bool Succeeded => Failure is null;

    public static Attempt<T> Success(T value) => new(value, null);

    public static Attempt<T> Failed(AttemptFailure failure) => new(default, failure);

    public static implicit operator Attempt<T>(AttemptFailure failure) => Failed(failure);
}
