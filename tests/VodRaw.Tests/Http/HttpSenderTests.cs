using System.Net;
using Microsoft.Extensions.Time.Testing;
using VodRaw.Http;

namespace VodRaw.Tests.Http;

/// <summary>The sender's loop on a fake clock: backoff and Retry-After waits are asserted without sleeping.</summary>
public sealed class HttpSenderTests
{
    [Fact]
    public async Task WaitsForRetryAfterOnTheClockBeforeTheNextAttempt()
    {
        var time = new RecordingTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var handler = new ScriptedHandler(
            _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30)) } },
            _ => new HttpResponseMessage(HttpStatusCode.OK));
        using var sender = new HttpSender(new HttpMessageInvoker(handler), new RetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMinutes(1) }, time);

        var send = sender.SendAsync(Call(), CancellationToken.None);
        await handler.WaitForAsync(1);
        // The wait the sender asked the clock for, read from the clock itself: no sleeping to see that nothing happened.
        var wait = await time.NextTimerAsync();
        Assert.Equal(TimeSpan.FromSeconds(30), wait);
        Assert.Equal(1, handler.Count);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, await send.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task GivesUpAfterMaxAttemptsWithTheLastFailureAndTheAttemptCount()
    {
        var time = new RecordingTimeProvider(DateTimeOffset.UnixEpoch);
        var handler = new ScriptedHandler(Enumerable.Repeat<Func<int, HttpResponseMessage>>(_ => new HttpResponseMessage(HttpStatusCode.InternalServerError), 3).ToArray());
        using var sender = new HttpSender(new HttpMessageInvoker(handler), new RetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(1) }, time);
        var send = sender.SendAsync(Call(), CancellationToken.None);
        for (var i = 1; i < 3; i++)
        {
            await handler.WaitForAsync(i);
            Assert.InRange(await time.NextTimerAsync(), TimeSpan.Zero, TimeSpan.FromSeconds(1)); // the backoff, on the fake clock
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var error = await Assert.ThrowsAsync<VodRawException>(() => send.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(3, error.Attempts);
        Assert.True(error.IsTransient);
        Assert.Equal(500, error.Status);
        Assert.Contains("gave up after 3 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APermanentFailureIsNotRetried()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.Forbidden), _ => new HttpResponseMessage(HttpStatusCode.OK));
        using var sender = new HttpSender(new HttpMessageInvoker(handler), new RetryOptions(), new FakeTimeProvider());
        var error = await Assert.ThrowsAsync<VodRawException>(() => sender.SendAsync(Call(), CancellationToken.None));
        Assert.Equal(1, handler.Count);
        Assert.False(error.IsTransient);
        Assert.Equal(1, error.Attempts);
    }

    [Fact]
    public async Task ATransportFailureNamesTheHostAndTheInnermostReason()
    {
        var handler = new ScriptedHandler(_ => throw new HttpRequestException("An error occurred while sending the request.", new IOException("Connection reset by peer")));
        using var sender = new HttpSender(new HttpMessageInvoker(handler), new RetryOptions { MaxAttempts = 1 }, new FakeTimeProvider());
        var error = await Assert.ThrowsAsync<VodRawException>(() => sender.SendAsync(Call(), CancellationToken.None));
        Assert.Equal("NetworkError", error.Code);
        Assert.Contains("Connection reset by peer", error.Message, StringComparison.Ordinal);
        Assert.Contains("example.test:9000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALostCompleteReplyIsRememberedAcrossALaterRefusalSoNoSuchUploadIsVerified()
    {
        // Attempt 1 may have assembled the object (its reply was lost); attempt 2 meets a 503; attempt 3 NoSuchUpload.
        var handler = new ScriptedHandler(
            _ => throw new HttpRequestException("reset", new IOException("Connection reset by peer")),
            _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound));
        using var sender = new HttpSender(new HttpMessageInvoker(handler), new RetryOptions { MaxAttempts = 5, InitialDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, new FakeTimeProvider());
        var confirmed = 0;
        var replyLost = 0;
        var result = await sender.SendAsync(Call(ServiceOperation.CompleteMultipartUpload, () => confirmed++, () => replyLost++), CancellationToken.None);
        Assert.Equal(3, handler.Count);
        Assert.Equal(1, replyLost); // told once: attempt 1
        Assert.Equal(1, confirmed); // NoSuchUpload after a lost reply is checked, not a failure
        Assert.Equal(7, result);
    }

    [Fact]
    public async Task NoSuchUploadWithoutALostReplyIsAFailureAndNothingIsChecked()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable), _ => new HttpResponseMessage(HttpStatusCode.NotFound));
        using var sender = new HttpSender(new HttpMessageInvoker(handler), new RetryOptions { MaxAttempts = 5, InitialDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, new FakeTimeProvider());
        var confirmed = 0;
        var replyLost = 0;
        var error = await Assert.ThrowsAsync<VodRawException>(() => sender.SendAsync(Call(ServiceOperation.CompleteMultipartUpload, () => confirmed++, () => replyLost++), CancellationToken.None));
        Assert.Equal("NoSuchUpload", error.Code);
        Assert.Equal(0, confirmed);
        Assert.Equal(0, replyLost);
        Assert.Equal(2, handler.Count);
    }

    private static HttpCall<int> Call(ServiceOperation operation = ServiceOperation.UploadPart, Action? confirm = null, Action? replyLost = null) => new()
    {
        Operation = operation,
        OnReplyLost = replyLost,
        Confirm = confirm is null ? null : (_, _) =>
        {
            confirm();
            return Task.FromResult(Attempt<int>.Success(7));
        },
        Host = "example.test:9000",
        Inactivity = TimeSpan.FromMinutes(5),
        CreateRequest = (attempt, _) => new HttpRequestMessage(HttpMethod.Put, "http://example.test:9000/key") { Content = new ByteArrayContent([1, 2, 3]) },
        ReadResponse = (response, _, _) => Task.FromResult((int)response.StatusCode == 200
            ? Attempt<int>.Success(2)
            : new AttemptFailure(FailureKind.ErrorResponse, (int)response.StatusCode == 404 ? "NoSuchUpload" : "HttpStatus" + (int)response.StatusCode, "HTTP " + (int)response.StatusCode)
            {
                Status = (int)response.StatusCode,
                RetryAfter = response.Headers.RetryAfter?.Delta,
            }),
        CreateException = (failure, outcome) => new VodRawException(failure.Code, failure.Detail + (failure.ReplyMayBeLost ? " (" + outcome.Host + ")" : string.Empty) + "; " + outcome.Reason, failure.Inner)
        {
            Status = failure.Status,
            Attempts = outcome.Attempts,
            IsTransient = outcome.IsTransient,
        },
    };

    /// <summary>Answers the n-th request with the n-th script entry; counts requests.</summary>
    private sealed class ScriptedHandler(params Func<int, HttpResponseMessage>[] script) : HttpMessageHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public async Task WaitForAsync(int count)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Count < count)
            {
                await Task.Delay(5, limit.Token);
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _count);
            return Task.FromResult(script[Math.Min(n, script.Length) - 1](n));
        }
    }

    /// <summary>A fake clock that also says which waits were asked of it, so a test reads the backoff instead of sleeping past it.</summary>
    private sealed class RecordingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _timers = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (period == Timeout.InfiniteTimeSpan)
            {
                _timers.Enqueue(dueTime); // one-shot waits (Task.Delay); the inactivity watchdog's periodic check is not one
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }

        /// <summary>The due time of the next timer created (waits until one is).</summary>
        public async Task<TimeSpan> NextTimerAsync()
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                if (_timers.TryDequeue(out var due) && due != Timeout.InfiniteTimeSpan)
                {
                    return due;
                }

                await Task.Delay(1, limit.Token);
            }
        }
    }
}
