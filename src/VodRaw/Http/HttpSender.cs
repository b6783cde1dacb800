using System.Globalization;

namespace VodRaw.Http;

/// <summary>
/// The one place VodRaw sends HTTP. Each attempt builds (and signs) a fresh request, so a retry is re-signed with a
/// fresh timestamp; transient failures are retried with exponential backoff and full jitter, honouring Retry-After.
/// </summary>
internal sealed class HttpSender : IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly RetryOptions _retry;
    private readonly TimeProvider _time;

    public HttpSender(HttpMessageInvoker invoker, RetryOptions retry, TimeProvider time)
    {
        _invoker = invoker;
        _retry = retry;
        _time = time;
    }

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

    /// <summary>
    /// Sends until success, a permanent failure, the attempt limit or cancellation.
    /// </summary>
    /// <param name="createRequest">Builds and signs the request for attempt n (1-based). May throw a non-transient <see cref="VodRawException"/>.</param>
    /// <param name="readResponse">Turns a response into a result, or throws a <see cref="VodRawException"/> whose IsTransient decides the retry.</param>
    /// <param name="transportError">Wraps a network failure or an inactivity timeout (code, message, inner) into the caller's exception type.</param>
    /// <param name="inactivity">Idle time allowed before an attempt is abandoned.</param>
    /// <param name="cancellationToken">The caller's token; cancellation is never retried.</param>
    public async Task<T> SendAsync<T>(
        Func<int, ActivityWatch, HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, ActivityWatch, CancellationToken, Task<T>> readResponse,
        Func<string, string, Exception, VodRawException> transportError,
        TimeSpan inactivity,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            VodRawException failure;
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (var watch = new ActivityWatch(_time, inactivity, attemptCts))
            {
                try
                {
                    using var request = createRequest(attempt, watch);
                    using var response = await _invoker.SendAsync(request, attemptCts.Token).ConfigureAwait(false);
                    watch.Poke();
                    return await readResponse(response, watch, attemptCts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (VodRawException e)
                {
                    failure = e;
                }
                catch (Exception e) when (watch.Fired && e is OperationCanceledException or HttpRequestException or IOException)
                {
                    failure = transportError("Timeout", $"No data moved for {watch.Limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; the attempt was abandoned.", e);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                {
                    // OperationCanceledException without the caller's token or the watch: an HttpClient-internal timeout.
                    failure = transportError("NetworkError", "The connection failed: " + e.GetType().Name + ".", e);
                }
            }

            failure.Attempts = attempt;
            if (!failure.IsTransient || attempt >= _retry.MaxAttempts)
            {
                throw failure;
            }

            await Task.Delay(Backoff(attempt, failure.RetryAfter), _time, cancellationToken).ConfigureAwait(false);
        }
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

    /// <summary>Whether an HTTP status is worth retrying (5xx, 429, 408).</summary>
    public static bool IsTransientStatus(int status) => status >= 500 || status is 429 or 408;

    /// <summary>Reads a response body up to a limit, keeping the watch alive as data arrives.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, ActivityWatch watch, int limit, CancellationToken cancellationToken)
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

                watch.Poke();
                if (buffer.Length + n > limit)
                {
                    throw new InvalidDataException("The response body is larger than expected.");
                }

                buffer.Write(chunk, 0, n);
            }
        }
    }

    public void Dispose() => _invoker.Dispose();
}
