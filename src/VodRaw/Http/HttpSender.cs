using System.Globalization;

namespace VodRaw.Http;

/// <summary>
/// The one place VodRaw sends HTTP. Each attempt builds (and signs) a fresh request, so a retry is re-signed with a
/// fresh timestamp. Replies come back as <see cref="Attempt{T}"/> values; <see cref="RetryPolicy"/> decides what a
/// failure means; the caller's exception is built once, when the call ends.
/// </summary>
internal sealed class HttpSender : IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly RetryOptions _retry;
    private readonly TimeProvider _time;
    private readonly bool _ownsInvoker;

    public HttpSender(HttpMessageInvoker invoker, RetryOptions retry, TimeProvider time, bool ownsInvoker = true)
    {
        _invoker = invoker;
        _ownsInvoker = ownsInvoker;
        _retry = retry;
        _time = time;
    }

    public TimeProvider Time => _time;

    /// <summary>Builds the handler VodRaw uses when the caller gives none.</summary>
    public static HttpMessageHandler CreateDefaultHandler(TimeSpan connectTimeout) => new SocketsHttpHandler
    {
        ConnectTimeout = connectTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        MaxConnectionsPerServer = int.MaxValue,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    };

    /// <summary>Sends until success, a decision to stop, the attempt limit or cancellation (never retried).</summary>
    public async Task<T> SendAsync<T>(HttpCall<T> call, CancellationToken cancellationToken)
    {
        var activity = Diagnostics.Telemetry.StartCall(call);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var trace = new AttemptTrace(activity);
        try
        {
            var value = await SendAttemptsAsync(call, trace, cancellationToken).ConfigureAwait(false);
            Diagnostics.Telemetry.CallEnded(activity, call.Operation, call.PartNumber, call.ObjectKey, started, trace.Attempts, trace.Status, trace.RequestId, null);
            return value;
        }
        catch (Exception e)
        {
            Diagnostics.Telemetry.CallEnded(activity, call.Operation, call.PartNumber, call.ObjectKey, started, trace.Attempts, trace.Status, trace.RequestId, e);
            throw;
        }
    }

    private async Task<T> SendAttemptsAsync<T>(HttpCall<T> call, AttemptTrace trace, CancellationToken cancellationToken)
    {
        var maxAttempts = call.MaxAttempts ?? _retry.MaxAttempts;
        var earlierReplyLost = false;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            trace.Attempts = attempt;
            var outcome = await AttemptAsync(call, attempt, trace, cancellationToken).ConfigureAwait(false);
            if (outcome.Failure is not { } failure)
            {
                if (call.RequestIdOf?.Invoke(outcome.Value!) is { } requestId)
                {
                    trace.RequestId = requestId;
                }

                return outcome.Value!;
            }

            trace.RequestId = failure.RequestId ?? trace.RequestId;
            if (failure.ReplyMayBeLost)
            {
                call.OnReplyLost?.Invoke();
            }

            var decision = RetryPolicy.Decide(call.Operation, failure, earlierReplyLost);
            switch (decision.Action)
            {
                case RetryAction.Retry when attempt < maxAttempts:
                    earlierReplyLost |= failure.ReplyMayBeLost;
                    if (call.OnThrottled is not null && RetryPolicy.IsThrottling(failure))
                    {
                        call.OnThrottled();
                    }

                    var backoff = Backoff(attempt, failure.RetryAfter);
                    Diagnostics.Telemetry.Retrying(trace.Activity, call.Operation, call.PartNumber, call.ObjectKey, attempt, failure, decision.Reason, backoff);
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                case RetryAction.Retry:
                    throw call.CreateException(failure, new CallOutcome(attempt, true, decision.Reason + "; gave up after " + attempt.ToString(CultureInfo.InvariantCulture) + " attempts", call.Host));
                case RetryAction.Verify or RetryAction.AlreadyDone when call.Confirm is not null:
                    var confirmed = await call.Confirm(failure, cancellationToken).ConfigureAwait(false);
                    if (confirmed.Succeeded)
                    {
                        return confirmed.Value!;
                    }

                    throw call.CreateException(confirmed.Failure!, new CallOutcome(attempt, false, decision.Reason + ", but the check found otherwise", call.Host));
                default:
                    throw call.CreateException(failure, new CallOutcome(attempt, false, decision.Reason, call.Host));
            }
        }
    }

    private async Task<Attempt<T>> AttemptAsync<T>(HttpCall<T> call, int attempt, AttemptTrace trace, CancellationToken cancellationToken)
    {
        using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watchdog = new InactivityWatchdog(_time, call.Inactivity, attemptCts);
        string? server = null;
        try
        {
            using var request = call.CreateRequest(attempt, watchdog);
            server = request.RequestUri is { } uri ? uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture) : call.Host;
            Diagnostics.Telemetry.Attempted(trace.Activity, request);
            trace.Status = null;
            var response = await _invoker.SendAsync(request, attemptCts.Token).ConfigureAwait(false);
            var taken = false;
            try
            {
                trace.Status = (int)response.StatusCode;
                if (trace.Activity is not null && response.Headers.TryGetValues("x-cos-request-id", out var ids))
                {
                    trace.RequestId = ids.FirstOrDefault();
                }

                watchdog.Poke();
                var outcome = await call.ReadResponse(response, watchdog, attemptCts.Token).ConfigureAwait(false);
                taken = outcome.Succeeded && call.TakesResponse?.Invoke(outcome.Value!) == true;
                return outcome;
            }
            finally
            {
                if (!taken)
                {
                    response.Dispose();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (LocalFailureOf(e) is { } local)
        {
            // A streamed body could not read its file: a local failure, not the network's; never retried.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(local);
            throw;
        }
        catch (Exception e) when (watchdog.Fired && e is OperationCanceledException or HttpRequestException or IOException)
        {
            return new AttemptFailure(FailureKind.Timeout, VodRawErrorCodes.Timeout,
                $"no data moved for {watchdog.Limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; the attempt was abandoned") { Inner = e };
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            // OperationCanceledException without the caller's token or the watchdog: an HttpClient-internal timeout.
            return new AttemptFailure(FailureKind.Transport, VodRawErrorCodes.NetworkError, $"the connection to {server ?? call.Host} failed: {TransportReason(e)}") { Inner = e };
        }
    }

    /// <summary>The source failure a request body reported, however HttpClient wrapped it.</summary>
    private static Exception? LocalFailureOf(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is LocalBodyFailure { InnerException: { } local })
            {
                return local;
            }
        }

        return null;
    }

    /// <summary>
    /// Why a connection failed, as an operator reads it: the socket error (ConnectionRefused, HostNotFound for DNS,
    /// TimedOut…), a TLS failure, or the most specific message of the chain — never only an exception type's name.
    /// </summary>
    internal static string TransportReason(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case System.Net.Sockets.SocketException socket:
                    var what = socket.SocketErrorCode is System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.TryAgain or System.Net.Sockets.SocketError.NoData
                        ? "DNS lookup failed" : "socket error";
                    return $"{what} {socket.SocketErrorCode}: {socket.Message.TrimEnd('.')}";
                case System.Security.Authentication.AuthenticationException tls:
                    return "TLS failure: " + InnermostMessage(tls);
            }
        }

        if (e is HttpRequestException { HttpRequestError: var error and not HttpRequestError.Unknown })
        {
            return $"{error}: {InnermostMessage(e)}";
        }

        return InnermostMessage(e);
    }

    /// <summary>The most specific message of an exception chain ("Connection reset by peer", not "An error occurred while sending the request.").</summary>
    internal static string InnermostMessage(Exception e)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!string.IsNullOrWhiteSpace(inner.Message))
            {
                message = inner.Message;
            }
        }

        return message.TrimEnd('.') + " (" + e.GetType().Name + ")";
    }

    /// <summary>Full jitter: a uniform wait in [0, min(max, base × 2^(n−1))], but never less than a Retry-After (capped at max).</summary>
    internal TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var ceiling = Math.Min(_retry.MaxDelay.Ticks, _retry.InitialDelay.Ticks * (1L << Math.Min(attempt - 1, 30)));
        var jitter = TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * ceiling));
        if (retryAfter is { } wait)
        {
            var honoured = wait > _retry.MaxDelay ? _retry.MaxDelay : wait;
            return honoured > jitter ? honoured : jitter;
        }

        return jitter;
    }

    /// <summary>Reads Retry-After (seconds or a date) from a response.</summary>
    public TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Reads a response body up to a limit, keeping the watchdog fed as data arrives; null when it is larger.</summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpResponseMessage response, InactivityWatchdog watchdog, int limit, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            while (true)
            {
                var n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return buffer.ToArray();
                }

                watchdog.Poke();
                if (buffer.Length + n > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, n);
            }
        }
    }

    public void Dispose()
    {
        if (_ownsInvoker)
        {
            _invoker.Dispose();
        }
    }

    /// <summary>What the telemetry hears of a call's attempts: its span, the last status, a RequestId seen.</summary>
    private sealed class AttemptTrace(System.Diagnostics.Activity? activity)
    {
        public System.Diagnostics.Activity? Activity { get; } = activity;

        public int Attempts { get; set; }

        public int? Status { get; set; }

        public string? RequestId { get; set; }
    }
}
