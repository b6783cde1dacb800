namespace VodRaw.Http;

/// <summary>
/// One logical call for <see cref="HttpSender"/>: how to build (and sign) an attempt, how to read a reply into an
/// <see cref="Attempt{T}"/>, how to turn the final failure into the caller's exception, and, for the idempotency
/// rules, how to confirm that a refused repeat means the work is already done.
/// </summary>
internal sealed class HttpCall<T>
{
    public required ServiceOperation Operation { get; init; }

    /// <summary>The host:port named in transport errors.</summary>
    public required string Host { get; init; }

    /// <summary>Builds and signs attempt n (1-based). May throw a local-decision <see cref="VodRawException"/> (never retried).</summary>
    public required Func<int, InactivityWatchdog, HttpRequestMessage> CreateRequest { get; init; }

    /// <summary>Reads a reply; never throws for a service-side failure (returns it instead).</summary>
    public required Func<HttpResponseMessage, InactivityWatchdog, CancellationToken, Task<Attempt<T>>> ReadResponse { get; init; }

    /// <summary>Builds the exception once, from the last failure and how the call ended.</summary>
    public required Func<AttemptFailure, CallOutcome, VodRawException> CreateException { get; init; }

    /// <summary>For <see cref="RetryAction.Verify"/> and <see cref="RetryAction.AlreadyDone"/>: confirms the result another way (HEAD the object).</summary>
    public Func<AttemptFailure, CancellationToken, Task<Attempt<T>>>? Confirm { get; init; }

    /// <summary>Idle time allowed before an attempt is abandoned.</summary>
    public required TimeSpan Inactivity { get; init; }

    /// <summary>An attempt budget of its own (Abort); null uses <see cref="RetryOptions.MaxAttempts"/>.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>For traces: the COS object key the request is about.</summary>
    public string? ObjectKey { get; init; }

    /// <summary>For traces: the part number of an UploadPart.</summary>
    public int? PartNumber { get; init; }

    /// <summary>For traces: the body bytes of a PutObject or UploadPart.</summary>
    public long? Bytes { get; init; }

    /// <summary>
    /// Told when an attempt failed in a way that may have reached the service without its reply coming back
    /// (<see cref="AttemptFailure.ReplyMayBeLost"/>), before the next attempt or the exception.
    /// </summary>
    public Action? OnReplyLost { get; init; }

    /// <summary>For traces: the RequestId a successful reply carries (the VOD API's envelope), when the reader knows one.</summary>
    public Func<T, string?>? RequestIdOf { get; init; }

    /// <summary>
    /// Whether a successful value took ownership of the reply (a body read after the call returns: an origin without
    /// ranges streamed in order); the sender then leaves the response to the value's owner to dispose.
    /// </summary>
    public Func<T, bool>? TakesResponse { get; init; }

    /// <summary>Told when an attempt failed because the service is throttling (<see cref="RetryPolicy.IsThrottling"/>), before the retry.</summary>
    public Action? OnThrottled { get; init; }
}

/// <summary>How a failed call ended: attempts made, whether it is worth trying later, and the table's reason.</summary>
internal readonly record struct CallOutcome(int Attempts, bool IsTransient, string Reason, string Host);
