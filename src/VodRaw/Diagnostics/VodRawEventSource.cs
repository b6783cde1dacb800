using System.Diagnostics.Tracing;

namespace VodRaw.Diagnostics;

/// <summary>
/// VodRaw's log events, named <c>VodRaw</c>: an upload started and ended (Informational), each request with its
/// attempts, status, duration and outcome, and each retry with its reason and backoff (Verbose; Warning for a retry).
/// Listen with <c>dotnet-trace collect --providers VodRaw</c>, an EventListener, or the DI package's ILogger bridge.
/// No payload holds a secret, a signature or a header value.
/// </summary>
[EventSource(Name = VodRawTelemetry.Name)]
internal sealed class VodRawEventSource : EventSource
{
    public const int UploadStartedId = 1;
    public const int UploadCompletedId = 2;
    public const int UploadFailedId = 3;
    public const int RequestCompletedId = 4;
    public const int RetryingId = 5;
    public const int UploadFailedOutsideRequestId = 6;

    public static readonly VodRawEventSource Log = new();

    private VodRawEventSource()
    {
    }

    /// <summary>
    /// An upload's files are known: <paramref name="bytes"/> is what the files of known length add up to, and
    /// <paramref name="size"/> says it for the message ("N bytes", or "unknown size" when a stream's length is not known);
    /// <paramref name="media"/> is the media's file name, or "(stream)".
    /// </summary>
    [Event(UploadStartedId, Level = EventLevel.Informational, Version = 1, Message = "upload of {3} to {0}: {1} files, {4}")]
    public void UploadStarted(string region, int files, long bytes, string media, string size)
    {
        if (IsEnabled(EventLevel.Informational, EventKeywords.All))
        {
            WriteEvent(UploadStartedId, region, files, bytes, media, size);
        }
    }

    [Event(UploadCompletedId, Level = EventLevel.Informational, Message = "upload committed as FileId {0}: {1} bytes sent, {2} resumed, in {3} ms (RequestId {4})")]
    public void UploadCompleted(string fileId, long bytes, long bytesResumed, double milliseconds, string requestId)
    {
        if (IsEnabled(EventLevel.Informational, EventKeywords.All))
        {
            WriteEvent(UploadCompletedId, fileId, bytes, bytesResumed, milliseconds, requestId);
        }
    }

    [Event(UploadFailedId, Level = EventLevel.Error, Message = "upload failed in {0} ({1}): {2}")]
    public void UploadFailed(string operation, string code, string message)
    {
        if (IsEnabled(EventLevel.Error, EventKeywords.All))
        {
            WriteEvent(UploadFailedId, operation, code, message);
        }
    }

    /// <summary>
    /// An upload failed with an error no request to VOD or COS reported (reading its source, checking the request, a
    /// cancel): <paramref name="message"/> names the exception's type when it is not VodRaw's.
    /// </summary>
    [Event(UploadFailedOutsideRequestId, Level = EventLevel.Error, Message = "upload failed, not in a request to VOD or COS ({0}): {1}")]
    public void UploadFailedOutsideRequest(string code, string message)
    {
        if (IsEnabled(EventLevel.Error, EventKeywords.All))
        {
            WriteEvent(UploadFailedOutsideRequestId, code, message);
        }
    }

    /// <summary>
    /// A request ended: <paramref name="part"/> is the UploadPart number (0 for other operations), <paramref name="objectKey"/>
    /// the COS object (empty for VOD API calls).
    /// </summary>
    [Event(RequestCompletedId, Level = EventLevel.Verbose, Version = 1, Message = "{0}: {4} after {1} attempt(s), status {2}, {3} ms, code {5}, RequestId {6}, part {7}, object {8}")]
    public void RequestCompleted(string operation, int attempts, int status, double milliseconds, string outcome, string code, string requestId, int part, string objectKey)
    {
        if (IsEnabled(EventLevel.Verbose, EventKeywords.All))
        {
            WriteEvent(RequestCompletedId, operation, attempts, status, milliseconds, outcome, code, requestId, part, objectKey);
        }
    }

    /// <summary>An attempt failed and will be sent again: <paramref name="part"/> as in <see cref="RequestCompleted"/>.</summary>
    [Event(RetryingId, Level = EventLevel.Warning, Version = 1, Message = "{0}: attempt {1} failed (status {2}, {3}); {4}; retrying in {5} ms (part {6}, object {7})")]
    public void Retrying(string operation, int attempt, int status, string code, string reason, double backoffMilliseconds, int part, string objectKey)
    {
        if (IsEnabled(EventLevel.Warning, EventKeywords.All))
        {
            WriteEvent(RetryingId, operation, attempt, status, code, reason, backoffMilliseconds, part, objectKey);
        }
    }
}
