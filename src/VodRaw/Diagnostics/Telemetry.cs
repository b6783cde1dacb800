using System.Diagnostics;
using System.Diagnostics.Metrics;
using VodRaw.Http;

namespace VodRaw.Diagnostics;

/// <summary>
/// The instruments behind <see cref="VodRawTelemetry"/>: one ActivitySource, one Meter, and the helpers the sender
/// and the upload call. Everything is a no-op costing a null check when nobody listens.
/// </summary>
/// <remarks>
/// Attribute names follow the OpenTelemetry semantic conventions for HTTP client spans where they apply
/// (<c>http.request.method</c>, <c>http.response.status_code</c>, <c>server.address</c>, <c>server.port</c>,
/// <c>error.type</c>, <c>http.request.resend_count</c>); VodRaw's own are under <c>vodraw.</c>. Values are operation
/// names, hosts, object keys, part numbers, sizes, codes and RequestIds — never a credential, a signature or a header.
/// </remarks>
internal static class Telemetry
{
    public static readonly ActivitySource Source = new(VodRawTelemetry.Name, VodRawTelemetry.Version);

    public static readonly Meter Meter = new(VodRawTelemetry.Name, VodRawTelemetry.Version);

    /// <summary>Bytes of media, cover and package files COS confirmed.</summary>
    public static readonly Counter<long> BytesUploaded = Meter.CreateCounter<long>("vodraw.upload.bytes", "By", "Bytes COS confirmed (media, cover and package files).");

    /// <summary>Each VOD call or COS request, retries included, by operation and outcome.</summary>
    public static readonly Histogram<double> RequestDuration = Histogram(
        "vodraw.request.duration", "Duration of a VOD call or COS request, retries and backoff included.",
        [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120]);

    /// <summary>Attempts sent again, by operation and reason.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("vodraw.request.retries", "{retry}", "Attempts sent again after a transient failure.");

    /// <summary>Parts (and whole-object PUTs) being sent now.</summary>
    public static readonly UpDownCounter<long> PartsInFlight = Meter.CreateUpDownCounter<long>("vodraw.parts.in_flight", "{part}", "Parts and whole-object PUTs being sent.");

    /// <summary>Whole uploads, by outcome.</summary>
    public static readonly Histogram<double> UploadDuration = Histogram(
        "vodraw.upload.duration", "Duration of a whole upload (ApplyUpload to CommitUpload).",
        [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200]);

    /// <summary>
    /// A histogram in seconds. On .NET 9+ it advises bucket boundaries in seconds (those of the OpenTelemetry HTTP
    /// conventions, extended for large parts and whole uploads); the SDKs' default buckets (0, 5, 10, … 10000) suit
    /// milliseconds and would put every request in the first.
    /// </summary>
    private static Histogram<double> Histogram(string name, string description, double[] boundaries)
    {
#if NET9_0_OR_GREATER
        return Meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = boundaries });
#else
        _ = boundaries;
        return Meter.CreateHistogram<double>(name, "s", description);
#endif
    }

    /// <summary>The role of the file whose requests run in this async flow (media, cover, segment), for their spans.</summary>
    public static readonly AsyncLocal<string?> FileRole = new();

    /// <summary>Starts the span of one VOD call or COS request (null when nobody listens).</summary>
    public static Activity? StartCall<T>(HttpCall<T> call)
    {
        var activity = Source.StartActivity(call.Operation.Name(), ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag("vodraw.operation", call.Operation.Name());
        if (call.ObjectKey is { } key)
        {
            activity.SetTag("vodraw.object_key", key);
            if (FileRole.Value is { } role)
            {
                activity.SetTag("vodraw.file_role", role);
            }
        }

        if (call.PartNumber is { } part)
        {
            activity.SetTag("vodraw.part_number", part);
        }

        if (call.Bytes is { } bytes)
        {
            activity.SetTag("vodraw.bytes", bytes);
        }

        return activity;
    }

    /// <summary>What one attempt's request was (method, host, port), set on the span once.</summary>
    public static void Attempted(Activity? activity, HttpRequestMessage request)
    {
        if (activity is null || activity.GetTagItem("http.request.method") is not null || request.RequestUri is not { } uri)
        {
            return;
        }

        activity.SetTag("http.request.method", request.Method.Method);
        activity.SetTag("server.address", uri.Host);
        activity.SetTag("server.port", uri.Port);
    }

    /// <summary>A failed attempt that will be sent again: a span event, the retry counter, and the log event.</summary>
    public static void Retrying(Activity? activity, ServiceOperation operation, int? part, string? objectKey, int attempt, AttemptFailure failure, string reason, TimeSpan backoff)
    {
        var name = operation.Name();
        if (Retries.Enabled)
        {
            Retries.Add(1, new KeyValuePair<string, object?>("vodraw.operation", name), new KeyValuePair<string, object?>("vodraw.retry_reason", failure.Code));
        }

        activity?.AddEvent(new ActivityEvent("vodraw.retry", tags: new ActivityTagsCollection
        {
            ["vodraw.attempt"] = attempt,
            ["vodraw.error_code"] = failure.Code,
            ["http.response.status_code"] = failure.Status,
            ["vodraw.retry_reason"] = reason,
            ["vodraw.backoff_ms"] = Math.Round(backoff.TotalMilliseconds, 1),
        }));
        VodRawEventSource.Log.Retrying(name, attempt, failure.Status ?? 0, failure.Code, reason, backoff.TotalMilliseconds, part ?? 0, objectKey ?? string.Empty);
    }

    /// <summary>Ends a call's span and records its duration: outcome, attempts, last status, the error if any.</summary>
    public static void CallEnded(Activity? activity, ServiceOperation operation, int? part, string? objectKey, long startedTimestamp, int attempts, int? status, string? requestId, Exception? error)
    {
        var seconds = Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds;
        var name = operation.Name();
        var outcome = error is null ? "ok" : error is OperationCanceledException ? "cancelled" : "error";
        if (RequestDuration.Enabled)
        {
            RequestDuration.Record(seconds, new KeyValuePair<string, object?>("vodraw.operation", name), new KeyValuePair<string, object?>("vodraw.outcome", outcome));
        }

        var code = (error as VodRawException)?.Code;
        requestId ??= (error as VodRawException)?.RequestId;
        VodRawEventSource.Log.RequestCompleted(name, attempts, status ?? 0, seconds * 1000, outcome, code ?? string.Empty, requestId ?? string.Empty, part ?? 0, objectKey ?? string.Empty);
        if (activity is null)
        {
            return;
        }

        if (attempts > 1)
        {
            activity.SetTag("http.request.resend_count", attempts - 1);
        }

        if (status is { } s)
        {
            activity.SetTag("http.response.status_code", s);
        }

        if (requestId is not null)
        {
            activity.SetTag("vodraw.request_id", requestId);
        }

        if (error is not null)
        {
            Failed(activity, error);
        }

        activity.Dispose();
    }

    /// <summary>The upload's files are known: tagged on its span (<see cref="Activity.Current"/>) and logged.</summary>
    public static void UploadPlanned(string region, int files, long bytes, bool lengthKnown, string media)
    {
        if (Activity.Current is { OperationName: VodRawTelemetry.UploadActivityName } activity)
        {
            activity.SetTag("vodraw.files", files);
            activity.SetTag("vodraw.total_bytes", bytes);
        }

        VodRawEventSource.Log.UploadStarted(region, files, bytes, media,
            lengthKnown ? bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes" : "unknown size");
    }

    /// <summary>
    /// The parts in flight an upload ended its transfer with, on its span: <c>vodraw.parts_in_flight</c> (the final
    /// setting) and, when it was adaptive, <c>vodraw.parts_in_flight.steps</c> ("4:43MB/s>8, 8:86MB/s>16, …": each
    /// measured setting, its rate, the next).
    /// </summary>
    public static void PartsInFlightSettled(int limit, IReadOnlyList<Transfer.AdaptiveConcurrency.Step>? steps)
    {
        if (Activity.Current is not { OperationName: VodRawTelemetry.UploadActivityName } activity)
        {
            return;
        }

        activity.SetTag("vodraw.parts_in_flight", limit);
        if (steps is not null)
        {
            activity.SetTag("vodraw.parts_in_flight.steps", string.Join(", ", steps.Select(s =>
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{s.Limit}:{s.BytesPerSecond / 1e6:F0}MB/s>{s.Next}"))));
        }
    }

    /// <summary>A committed upload: its FileId and bytes on the span, its duration, its log event.</summary>
    public static void UploadCompleted(Activity? activity, VodUploadResponse response, double seconds)
    {
        if (UploadDuration.Enabled)
        {
            UploadDuration.Record(seconds, new KeyValuePair<string, object?>("vodraw.outcome", response.AlreadyCommitted ? "already_committed" : "ok"));
        }

        VodRawEventSource.Log.UploadCompleted(response.FileId, response.BytesUploaded, response.BytesResumed, seconds * 1000, response.RequestId);
        if (activity is null)
        {
            return;
        }

        activity.SetTag("vodraw.file_id", response.FileId);
        activity.SetTag("vodraw.request_id", response.RequestId);
        activity.SetTag("vodraw.bytes", response.BytesUploaded);
        activity.SetTag("vodraw.bytes_resumed", response.BytesResumed);
    }

    /// <summary>A failed, cancelled or paused upload: the span's error, the duration by outcome, the log event.</summary>
    public static void UploadFailed(Activity? activity, Exception error, double seconds)
    {
        var outcome = error switch
        {
            UploadCanceledException { Outcome: UploadInterruption.Paused } => "paused",
            OperationCanceledException => "cancelled",
            ArgumentException => "invalid",
            _ => "error",
        };
        if (UploadDuration.Enabled)
        {
            UploadDuration.Record(seconds, new KeyValuePair<string, object?>("vodraw.outcome", outcome));
        }

        var v = error as VodRawException;
        if (string.IsNullOrEmpty(v?.Operation))
        {
            VodRawEventSource.Log.UploadFailedOutsideRequest(v?.Code ?? outcome, v is null ? error.GetType().Name + ": " + error.Message : error.Message);
        }
        else
        {
            VodRawEventSource.Log.UploadFailed(v.Operation, v.Code, error.Message);
        }

        Failed(activity, error);
    }

    /// <summary>Marks a span failed: status Error with a message, <c>error.type</c> (the code or exception type), an exception event.</summary>
    public static void Failed(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        var type = error switch
        {
            VodRawException v => v.Code,
            OperationCanceledException => "cancelled",
            _ => error.GetType().FullName ?? error.GetType().Name,
        };
        activity.SetTag("error.type", type);
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        // The exception event as OpenTelemetry records it; VodRaw's messages never hold a secret.
        activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
        {
            ["exception.type"] = error.GetType().FullName,
            ["exception.message"] = error.Message,
        }));
    }
}
