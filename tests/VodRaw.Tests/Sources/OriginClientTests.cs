using System.Net;
using System.Net.Http.Headers;
using VodRaw.Http;
using VodRaw.Sources;

namespace VodRaw.Tests.Sources;

/// <summary>What an origin's replies mean, one hostile reply at a time (a handler in place of the network).</summary>
public sealed class OriginClientTests
{
    private sealed class Handler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Seen { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add(request);
            return Task.FromResult(answer(request));
        }
    }

    private static readonly SourceUrl Url = SourceUrl.Create(new Uri("http://origin.test/a.mp4"), null, "MediaUrl");

    private static (OriginClient Client, Handler Handler) Client(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        var handler = new Handler(answer);
        var sender = new HttpSender(new HttpMessageInvoker(handler), new RetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, TimeProvider.System);
        return (new OriginClient(sender, TimeSpan.FromSeconds(30), 3, 2), handler);
    }

    private static HttpResponseMessage Partial(byte[] body, long from, long to, long total, string etag = "\"e1\"")
    {
        var response = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, to, total);
        response.Headers.ETag = EntityTagHeaderValue.Parse(etag);
        return response;
    }

    private static readonly OriginObject Known = new(Url, Url, 100, true, "\"e1\"", null);

    [Fact]
    public async Task TheProbeAsksForOneByteAndReadsLengthRangesAndValidators()
    {
        var modified = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var (client, handler) = Client(_ =>
        {
            var r = Partial([1], 0, 0, 5000);
            r.Content.Headers.LastModified = modified;
            return r;
        });

        var origin = await client.ProbeAsync(Url, CancellationToken.None);

        Assert.Equal("bytes=0-0", handler.Seen.Single().Headers.GetValues("Range").Single());
        Assert.Equal("identity", handler.Seen.Single().Headers.AcceptEncoding.Single().Value);
        Assert.Equal(5000, origin.Length);
        Assert.True(origin.Positional);
        Assert.Equal("\"e1\"", origin.StrongETag);
        Assert.Equal(modified, origin.LastModified);
    }

    [Fact]
    public async Task AnOriginThatIgnoresTheRangeStreamsInOrder()
    {
        var (client, _) = Client(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[777]) });
        var origin = await client.ProbeAsync(Url, CancellationToken.None);
        Assert.False(origin.Ranges);
        Assert.Equal(777, origin.Length);
        Assert.False(origin.Positional);
    }

    [Fact]
    public async Task AnEmptyObjectIsRecognisedByA416WithTotalZero()
    {
        var (client, _) = Client(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.RequestedRangeNotSatisfiable) { Content = new ByteArrayContent([]) };
            r.Content.Headers.ContentRange = new ContentRangeHeaderValue(0);
            return r;
        });
        Assert.Equal(0, (await client.ProbeAsync(Url, CancellationToken.None)).Length);
    }

    [Fact]
    public async Task ARangeReadSendsIfMatchAndHashesTheBytes()
    {
        var body = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        var (client, handler) = Client(_ => Partial(body, 10, 49, 100));
        var buffer = new byte[40];

        var (read, crc) = await client.ReadRangeAsync(Known, 10, buffer, CancellationToken.None);

        Assert.Equal(40, read);
        Assert.Equal(body, buffer);
        Assert.Equal(VodRaw.Hashing.Crc64.Compute(body), crc);
        var request = handler.Seen.Single();
        Assert.Equal("bytes=10-49", request.Headers.GetValues("Range").Single());
        Assert.Equal("\"e1\"", request.Headers.GetValues("If-Match").Single());
    }

    [Fact]
    public async Task AWeakETagFallsBackToIfUnmodifiedSince()
    {
        var modified = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var origin = Known with { ETag = "W/\"weak\"", LastModified = modified };
        var (client, handler) = Client(_ =>
        {
            var r = Partial(new byte[10], 0, 9, 100, "W/\"weak\"");
            r.Content.Headers.LastModified = modified;
            return r;
        });
        await client.ReadRangeAsync(origin, 0, new byte[10], CancellationToken.None);
        Assert.False(handler.Seen.Single().Headers.Contains("If-Match"));
        Assert.Equal(modified, handler.Seen.Single().Headers.IfUnmodifiedSince);
    }

    public static TheoryData<string> Changes => new() { "412", "416", "total", "etag" };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task EachSignOfAnotherObjectIsAChangeNotARetry(string sign)
    {
        var (client, handler) = Client(_ => sign switch
        {
            "412" => new HttpResponseMessage(HttpStatusCode.PreconditionFailed),
            "416" => new HttpResponseMessage(HttpStatusCode.RequestedRangeNotSatisfiable),
            "total" => Partial(new byte[10], 0, 9, 101),
            _ => Partial(new byte[10], 0, 9, 100, "\"e2\""),
        });

        var e = await Assert.ThrowsAsync<FileChangedException>(() => client.ReadRangeAsync(Known, 0, new byte[10], CancellationToken.None));

        Assert.Single(handler.Seen);
        Assert.Equal("http://origin.test/a.mp4", e.Path);
    }

    public static TheoryData<string, string> OtherBytes => new()
    {
        { "other range", "answered bytes 5-14 for bytes 0-9" },
        { "whole object", "answered the whole object to a range request" },
        { "length", "announced 12 bytes for a range of 10" },
    };

    [Theory]
    [MemberData(nameof(OtherBytes))]
    public async Task OtherBytesThanAskedForFailAtOnce(string what, string expected)
    {
        var (client, handler) = Client(_ => what switch
        {
            "other range" => Partial(new byte[10], 5, 14, 100),
            "whole object" => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[100]) },
            _ => Partial(new byte[12], 0, 9, 100),
        });

        var e = await Assert.ThrowsAsync<OriginException>(() => client.ReadRangeAsync(Known, 0, new byte[10], CancellationToken.None));

        Assert.Single(handler.Seen);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal("bytes=0-9", e.Range);
        Assert.Equal("origin.test:80", e.Host);
    }

    [Fact]
    public async Task AShortBodyIsFetchedAgainThenGivenUpAsTransient()
    {
        var (client, handler) = Client(_ =>
        {
            var r = Partial(new byte[6], 0, 9, 100);
            r.Content.Headers.ContentLength = null; // no length to check up front: the body just ends early
            return r;
        });

        var e = await Assert.ThrowsAsync<OriginException>(() => client.ReadRangeAsync(Known, 0, new byte[10], CancellationToken.None));

        Assert.Equal(3, handler.Seen.Count);
        Assert.True(e.IsTransient);
        Assert.Contains("ended after 6 of 10 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectsAreCappedAndRelativeLocationsResolve()
    {
        var (client, handler) = Client(request =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.Found);
            r.Headers.Location = new Uri("next" + NextOf(request), UriKind.Relative);
            return r;
        });

        var e = await Assert.ThrowsAsync<OriginException>(() => client.ProbeAsync(Url, CancellationToken.None));

        Assert.Contains("redirected more than 2 times", e.Message, StringComparison.Ordinal);
        Assert.Equal(["http://origin.test/a.mp4", "http://origin.test/next1", "http://origin.test/next2"], handler.Seen.Select(r => r.RequestUri!.AbsoluteUri));

        static string NextOf(HttpRequestMessage r) => r.RequestUri!.AbsolutePath == "/a.mp4" ? "1" : "2";
    }

    [Fact]
    public async Task AnEncodedBodyIsNotTheObjectsBytes()
    {
        var (client, handler) = Client(_ =>
        {
            var r = Partial(new byte[10], 0, 9, 100);
            r.Content.Headers.ContentEncoding.Add("gzip");
            return r;
        });

        var e = await Assert.ThrowsAsync<OriginException>(() => client.ReadRangeAsync(Known, 0, new byte[10], CancellationToken.None));
        Assert.Contains("gzip-encoded", e.Message, StringComparison.Ordinal);
        Assert.Single(handler.Seen);

        var (prober, _) = Client(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[10]) };
            r.Content.Headers.ContentEncoding.Add("br");
            return r;
        });
        Assert.Contains("br-encoded", (await Assert.ThrowsAsync<OriginException>(() => prober.ProbeAsync(Url, CancellationToken.None))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARangeWithoutATotalIsReadInOrder()
    {
        var (client, _) = Client(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new ByteArrayContent([1]) };
            r.Content.Headers.ContentRange = new ContentRangeHeaderValue(0, 0);
            return r;
        });
        var origin = await client.ProbeAsync(Url, CancellationToken.None);
        Assert.Null(origin.Length);
        Assert.False(origin.Positional);
    }

    [Fact]
    public async Task AnUntrustedCertificateIsNotRetried()
    {
        var (client, handler) = Client(_ => throw new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established",
            new System.Security.Authentication.AuthenticationException("The remote certificate is invalid: UntrustedRoot")));

        var e = await Assert.ThrowsAsync<OriginException>(() => client.ProbeAsync(Url, CancellationToken.None));

        Assert.Single(handler.Seen);
        Assert.False(e.IsTransient);
        Assert.Contains("not trusted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWebPageWhereMediaWasExpectedIsRefusedAtTheProbe()
    {
        var (client, handler) = Client(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>Please log in</html>") };
            r.Content.Headers.ContentType = new MediaTypeHeaderValue("text/html") { CharSet = "utf-8" };
            return r;
        });

        var e = await Assert.ThrowsAsync<OriginException>(() => client.ProbeAsync(Url, CancellationToken.None));

        Assert.Contains("web page", e.Message, StringComparison.Ordinal);
        Assert.Single(handler.Seen);
        Assert.False(e.IsTransient);
    }
}
