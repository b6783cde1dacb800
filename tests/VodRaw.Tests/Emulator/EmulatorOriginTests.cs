using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using VodRaw.Emulator.Origin;

namespace VodRaw.Tests.Emulator;

/// <summary>
/// The HTTP origin that uploads from a URL fetch from: its answers (validators, ranges, conditionals, redirects, the
/// switches for servers without them), its faults (each proven to fire, in the rule and in the request log), HTTPS
/// trusted by thumbprint, big files from disk, and a root directory that no request path can leave.
/// </summary>
public sealed class EmulatorOriginTests : IAsyncLifetime
{
    private const string Clip = "media/clip.mp4";
    private static readonly byte[] Content = [.. Enumerable.Range(0, 100).Select(i => (byte)((i * 7) + 3))];

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private EmulatorOrigin _origin = null!;

    public async Task InitializeAsync()
    {
        _origin = await EmulatorOrigin.StartAsync();
        _origin.Put(Clip, Content);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _origin.DisposeAsync();
    }

    // ---- plain answers ----

    [Fact]
    public async Task ListensOnLoopbackAndServesAPutObjectWithLengthTypeValidatorsAndAcceptRanges()
    {
        Assert.Equal("127.0.0.1", _origin.BaseAddress.Host);
        Assert.Equal("http", _origin.BaseAddress.Scheme);
        Assert.Null(_origin.Certificate);

        using var response = await _http.GetAsync(_origin.UrlOf(Clip));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(100, response.Content.Headers.ContentLength);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType!.MediaType);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.StartsWith("\"", response.Headers.ETag.Tag, StringComparison.Ordinal);
        var lastModified = response.Content.Headers.LastModified!.Value;
        Assert.Equal(0, lastModified.Ticks % TimeSpan.TicksPerSecond);
        Assert.InRange(lastModified, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(["bytes"], response.Headers.AcceptRanges);
    }

    [Fact]
    public async Task HeadAnswersTheSameHeadersWithoutABodyAndIgnoresRange()
    {
        using var get = await _http.GetAsync(_origin.UrlOf(Clip));
        using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, _origin.UrlOf(Clip)) { Headers = { Range = new RangeHeaderValue(0, 9) } });
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(100, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, _origin.Requests[^1].BytesSent);
    }

    [Fact]
    public async Task AnswersAnUnknownOrRemovedPathWith404AndOtherMethodsWith405()
    {
        using (var unknown = await _http.GetAsync(_origin.UrlOf("media/absent.mp4")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var post = await _http.PostAsync(_origin.UrlOf(Clip), new ByteArrayContent([1])))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
            Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow);
        }

        _origin.Remove(Clip);
        using var removed = await _http.GetAsync(_origin.UrlOf(Clip));
        Assert.Equal(HttpStatusCode.NotFound, removed.StatusCode);
        Assert.Equal([404, 405, 404], _origin.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task UrlOfEscapesEachSegmentAndTheRequestFindsTheObject()
    {
        const string path = "media/a b#?%+é.mp4";
        _origin.Put(path, Content, "application/x-test");
        var url = _origin.UrlOf(path);
        Assert.EndsWith("/media/a%20b%23%3F%25%2B%C3%A9.mp4", url.AbsoluteUri, StringComparison.Ordinal);
        using var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-test", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(path, _origin.Requests.Single().Path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("./b")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    public void RefusesPathsNoRequestCouldReach(string path)
    {
        Assert.Throws<ArgumentException>(() => _origin.Put(path, Content));
        Assert.Throws<ArgumentException>(() => _origin.UrlOf(path));
    }

    [Fact]
    public async Task ReplacingAnObjectGivesANewETagAndALaterLastModified()
    {
        using var before = await _http.GetAsync(_origin.UrlOf(Clip));
        _origin.Put(Clip, Content); // same bytes, within the same second
        using var after = await _http.GetAsync(_origin.UrlOf(Clip));
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        Assert.True(after.Content.Headers.LastModified > before.Content.Headers.LastModified);
    }

    // ---- ranges ----

    [Theory]
    [InlineData("bytes=0-9", 0, 9)]
    [InlineData("bytes=10-", 10, 99)]
    [InlineData("bytes=-5", 95, 99)]
    [InlineData("bytes=-500", 0, 99)]
    [InlineData("bytes=95-200", 95, 99)]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=99-99", 99, 99)]
    [InlineData("BYTES=3-4", 3, 4)]
    [InlineData("bytes=0-99999999999999999999", 0, 99)]
    public async Task AnswersOneRangeWith206AndItsContentRange(string range, int first, int last)
    {
        using var response = await GetWithRange(range);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/100", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(last - first + 1, response.Content.Headers.ContentLength);
        Assert.Equal(Content[first..(last + 1)], await response.Content.ReadAsByteArrayAsync());
        var logged = _origin.Requests.Single();
        Assert.Equal((206, range, (long)(last - first + 1)), (logged.Status, logged.Range, logged.BytesSent));
    }

    [Theory]
    [InlineData("bytes=100-")]
    [InlineData("bytes=100-200")]
    [InlineData("bytes=99999999999999999999-")]
    [InlineData("bytes=-0")]
    public async Task AnswersAnUnsatisfiableRangeWith416AndTheTotal(string range)
    {
        using var response = await GetWithRange(range);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */100", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("bytes=0-1,3-4")] // several ranges: no multipart/byteranges here, the whole object instead
    [InlineData("bytes=5-1")]
    [InlineData("items=0-1")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=")]
    [InlineData("bytes=-")]
    [InlineData("bytes=1-2-3")]
    [InlineData("bytes=+1-2")]
    public async Task AnswersAMultiRangeOrMalformedRangeWithTheWholeObject(string range)
    {
        using var response = await GetWithRange(range);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Content.Headers.Contains("Content-Range"));
        Assert.Equal(Content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task WithoutRangeSupportIgnoresRangeAndAnnouncesNone()
    {
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { SupportRanges = false });
        origin.Put(Clip, Content);
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, origin.UrlOf(Clip)) { Headers = { Range = new RangeHeaderValue(0, 9) } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.AcceptRanges);
        Assert.Equal(Content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ServesAnEmptyObjectWholeAndRefusesRangesIntoIt()
    {
        _origin.Put("empty.bin", []);
        using var whole = await _http.GetAsync(_origin.UrlOf("empty.bin"));
        Assert.Equal((HttpStatusCode.OK, 0L), (whole.StatusCode, whole.Content.Headers.ContentLength!.Value));
        using var from = await GetWithRange("bytes=0-", "empty.bin");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, from.StatusCode);
        using var suffix = await GetWithRange("bytes=-5", "empty.bin");
        Assert.Equal(HttpStatusCode.OK, suffix.StatusCode);
    }

    // ---- conditionals ----

    [Fact]
    public async Task IfMatchPassesForTheCurrentETagOrAStarAndFailsWith412Otherwise()
    {
        var etag = (await Head()).ETag!;
        Assert.Equal(HttpStatusCode.PartialContent, (await GetWith(r => { r.Headers.IfMatch.Add(etag); r.Headers.Range = new RangeHeaderValue(0, 9); })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetWith(r => r.Headers.IfMatch.Add(EntityTagHeaderValue.Any))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetWith(r => r.Headers.TryAddWithoutValidation("If-Match", "\"other\", " + etag.Tag))).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await GetWith(r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"other\"")))).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await GetWith(r => r.Headers.IfMatch.Add(new EntityTagHeaderValue(etag.Tag, isWeak: true)))).StatusCode);
        Assert.Equal(etag.Tag, _origin.Requests[1].IfMatch);
        Assert.Equal([200, 206, 200, 200, 412, 412], _origin.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task IfUnmodifiedSinceEarlierThanLastModifiedFailsWith412()
    {
        var lastModified = (await Head()).LastModified!.Value;
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await GetWith(r => r.Headers.IfUnmodifiedSince = lastModified.AddSeconds(-1))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetWith(r => r.Headers.IfUnmodifiedSince = lastModified)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetWith(r => r.Headers.IfUnmodifiedSince = lastModified.AddHours(1))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetWith(r => r.Headers.TryAddWithoutValidation("If-Unmodified-Since", "not a date"))).StatusCode);
        Assert.Equal(lastModified.AddSeconds(-1).ToString("R"), _origin.Requests[1].IfUnmodifiedSince);
    }

    [Fact]
    public async Task IfMatchIsEvaluatedBeforeIfUnmodifiedSinceAndIfNoneMatchIsIgnored()
    {
        var head = await Head();
        var stale = await GetWith(r => { r.Headers.IfMatch.Add(head.ETag!); r.Headers.IfUnmodifiedSince = head.LastModified!.Value.AddDays(-1); });
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode); // RFC 9110 13.2.2: If-Unmodified-Since only without If-Match
        var ignored = await GetWith(r => { r.Headers.IfNoneMatch.Add(head.ETag!); r.Headers.IfModifiedSince = head.LastModified; });
        Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);
    }

    [Fact]
    public async Task IfRangeNamingAnotherVersionGetsTheWholeObject()
    {
        var head = await Head();
        var current = await GetWith(r => { r.Headers.Range = new RangeHeaderValue(0, 9); r.Headers.IfRange = new RangeConditionHeaderValue(head.ETag!); });
        Assert.Equal(HttpStatusCode.PartialContent, current.StatusCode);
        var byDate = await GetWith(r => { r.Headers.Range = new RangeHeaderValue(0, 9); r.Headers.IfRange = new RangeConditionHeaderValue(head.LastModified!.Value); });
        Assert.Equal(HttpStatusCode.PartialContent, byDate.StatusCode);
        var other = await GetWith(r => { r.Headers.Range = new RangeHeaderValue(0, 9); r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"old\"")); });
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(Content, await other.Content.ReadAsByteArrayAsync());
    }

    // ---- switches ----

    [Fact]
    public async Task WithoutValidatorsSendsNoETagOrLastModifiedAndOnlyAStarMatches()
    {
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { SendETag = false, SendLastModified = false });
        origin.Put(Clip, Content);
        using var response = await _http.GetAsync(origin.UrlOf(Clip));
        Assert.Null(response.Headers.ETag);
        Assert.Null(response.Content.Headers.LastModified);
        using var star = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, origin.UrlOf(Clip)) { Headers = { IfMatch = { EntityTagHeaderValue.Any } } });
        Assert.Equal(HttpStatusCode.OK, star.StatusCode);
        using var guessed = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, origin.UrlOf(Clip)) { Headers = { IfMatch = { new EntityTagHeaderValue("\"x\"") } } });
        Assert.Equal(HttpStatusCode.PreconditionFailed, guessed.StatusCode);
        using var since = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, origin.UrlOf(Clip)) { Headers = { IfUnmodifiedSince = DateTimeOffset.UnixEpoch } });
        Assert.Equal(HttpStatusCode.OK, since.StatusCode); // no date to compare with: ignored
    }

    [Fact]
    public async Task WithoutContentLengthSendsGetChunkedAndHeadWithNoLength()
    {
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { SendContentLength = false });
        origin.Put(Clip, Content);
        using var get = await _http.GetAsync(origin.UrlOf(Clip), HttpCompletionOption.ResponseHeadersRead);
        Assert.True(get.Headers.TransferEncodingChunked);
        Assert.Null(get.Content.Headers.ContentLength);
        Assert.Equal(Content, await get.Content.ReadAsByteArrayAsync());
        using var ranged = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, origin.UrlOf(Clip)) { Headers = { Range = new RangeHeaderValue(10, 19) } });
        Assert.Equal((HttpStatusCode.PartialContent, true), (ranged.StatusCode, ranged.Headers.TransferEncodingChunked == true));
        Assert.Equal(Content[10..20], await ranged.Content.ReadAsByteArrayAsync());

        var (status, head, _) = await RawAsync(origin.BaseAddress, "HEAD", "/" + Clip);
        Assert.Equal(200, status);
        Assert.DoesNotContain("content-length", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("transfer-encoding", head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WithoutHeadAnswersHeadWith405()
    {
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { AllowHead = false });
        origin.Put(Clip, Content);
        using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, origin.UrlOf(Clip)));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, head.StatusCode);
        Assert.Equal(["GET"], head.Content.Headers.Allow);
        using var get = await _http.GetAsync(origin.UrlOf(Clip));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task WithRequiredAuthorizationAnswers401UnlessExactlyThatHeaderCame()
    {
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { RequiredAuthorization = "Bearer s3cret" });
        origin.Put(Clip, Content);
        using var none = await _http.GetAsync(origin.UrlOf(Clip));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        using var wrong = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, origin.UrlOf(Clip)) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "S3CRET") } });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var right = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, origin.UrlOf(Clip)) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "s3cret") } });
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(Content, await right.Content.ReadAsByteArrayAsync());

        var logged = origin.Requests;
        Assert.False(logged[0].HasHeader("Authorization"));
        Assert.True(logged[2].HasHeader("authorization"));
        Assert.Equal("Bearer s3cret", logged[2].Header("Authorization"));
        Assert.Contains("Authorization", logged[2].HeaderNames);
        await Assert.ThrowsAsync<ArgumentException>(() => EmulatorOrigin.StartAsync(new EmulatorOriginOptions { RequiredAuthorization = "Bearer a\r\nX: b" }));
    }

    // ---- redirects ----

    [Fact]
    public async Task RedirectsToAnotherOriginWhichAClientFollows()
    {
        await using var other = await EmulatorOrigin.StartAsync();
        var moved = Encoding.ASCII.GetBytes("moved here");
        other.Put("elsewhere/clip.mp4", moved);
        _origin.AddRedirect("old/clip.mp4", other.UrlOf("elsewhere/clip.mp4"));
        _origin.AddRedirect("permanent/clip.mp4", other.UrlOf("elsewhere/clip.mp4"), 308);

        using var raw = await _http.GetAsync(_origin.UrlOf("old/clip.mp4"));
        Assert.Equal(HttpStatusCode.Found, raw.StatusCode);
        Assert.Equal(other.UrlOf("elsewhere/clip.mp4"), raw.Headers.Location);

        using var following = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        Assert.Equal(moved, await following.GetByteArrayAsync(_origin.UrlOf("permanent/clip.mp4")));
        Assert.Equal(308, _origin.Requests[^1].Status);
        Assert.Equal("elsewhere/clip.mp4", other.Requests.Single().Path);
    }

    [Fact]
    public async Task RedirectsToAnotherSchemeBeforeTheObjectAtThatPath()
    {
        _origin.AddRedirect(Clip, new Uri("ftp://127.0.0.1/clip.mp4"), 301); // before the object at the same path
        using var response = await _http.GetAsync(_origin.UrlOf(Clip));
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("ftp://127.0.0.1/clip.mp4", response.Headers.Location!.AbsoluteUri);
        Assert.Throws<ArgumentOutOfRangeException>(() => _origin.AddRedirect(Clip, new Uri("http://x/"), 200));
        _origin.Remove(Clip);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(_origin.UrlOf(Clip))).StatusCode); // Remove takes both
    }

    // ---- HTTPS ----

    [Fact]
    public async Task ServesHttpsWithACertificateAClientTrustsByThumbprintOnly()
    {
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { Https = true });
        origin.Put(Clip, Content);
        Assert.Equal("https", origin.BaseAddress.Scheme);
        var expected = origin.Certificate!.GetCertHashString(HashAlgorithmName.SHA256);

        var checkedThumbprint = false;
        using var pinned = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    checkedThumbprint = true;
                    return certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == expected;
                },
            },
        });
        Assert.Equal(Content, await pinned.GetByteArrayAsync(origin.UrlOf(Clip)));
        Assert.True(checkedThumbprint);

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString(HashAlgorithmName.SHA256) == expected };
        using var viaHandler = new HttpClient(handler);
        Assert.Equal(Content, await viaHandler.GetByteArrayAsync(origin.UrlOf(Clip)));

        using var trusting = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => trusting.GetAsync(origin.UrlOf(Clip)));
        Assert.IsType<AuthenticationException>(refused.InnerException);
    }

    // ---- faults ----

    [Fact]
    public async Task StatusFaultAnswersTheStatusWithRetryAfterOnceThenTheObject()
    {
        var rule = _origin.Faults.Status(Clip, 503, retryAfter: TimeSpan.FromMilliseconds(1500));
        using var first = await _http.GetAsync(_origin.UrlOf(Clip));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), first.Headers.RetryAfter!.Delta);
        Assert.Empty(await first.Content.ReadAsByteArrayAsync());
        using var second = await _http.GetAsync(_origin.UrlOf(Clip));
        Assert.Equal(Content, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, rule.Fired);
        Assert.Equal([(503, (OriginFaultKind?)OriginFaultKind.Status), (200, null)], _origin.Requests.Select(r => (r.Status, r.Fault)));
    }

    [Fact]
    public async Task FaultsMatchTheirMethodAndFireAsManyTimesAsAsked()
    {
        var always = _origin.Faults.Status(Clip, 500, method: "GET", times: OriginFaultRule.Always);
        var twice = _origin.Faults.Status("other.bin", 502, times: 2);
        _origin.Put("other.bin", Content);
        Assert.Equal(HttpStatusCode.OK, (await Head()).Status);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.InternalServerError, (await _http.GetAsync(_origin.UrlOf(Clip))).StatusCode);
            Assert.Equal(i < 2 ? HttpStatusCode.BadGateway : HttpStatusCode.OK, (await _http.GetAsync(_origin.UrlOf("other.bin"))).StatusCode);
        }

        Assert.Equal((3, 2), (always.Fired, twice.Fired));
        Assert.Equal(2, _origin.Faults.Rules.Count);
        _origin.Faults.Clear();
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(_origin.UrlOf(Clip))).StatusCode);
    }

    [Fact]
    public async Task DropMidBodySendsTheFullLengthThenDropsTheConnectionAfterSomeBytes()
    {
        var big = RandomNumberGenerator.GetBytes(256 * 1024);
        _origin.Put("big.bin", big);
        var rule = _origin.Faults.DropMidBody("big.bin", afterBytes: 1000);
        using var response = await _http.GetAsync(_origin.UrlOf("big.bin"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(big.Length, response.Content.Headers.ContentLength);
        var (received, error) = await ReadUntilFailure(response);
        Assert.NotNull(error);
        Assert.Equal(1000, received);
        Assert.Equal(1, rule.Fired);
        var logged = _origin.Requests.Single();
        Assert.Equal((200, 1000L, (OriginFaultKind?)OriginFaultKind.DropMidBody), (logged.Status, logged.BytesSent, logged.Fault));
        Assert.Equal(big, await _http.GetByteArrayAsync(_origin.UrlOf("big.bin"))); // once only
    }

    [Fact]
    public async Task DropMidBodyOfAChunkedAnswerEndsWithoutTheLastChunk()
    {
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { SendContentLength = false });
        var big = RandomNumberGenerator.GetBytes(256 * 1024);
        origin.Put("big.bin", big);
        var rule = origin.Faults.DropMidBody("big.bin", afterBytes: 1000);
        using var response = await _http.GetAsync(origin.UrlOf("big.bin"), HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.Headers.TransferEncodingChunked);
        var (received, error) = await ReadUntilFailure(response);
        Assert.NotNull(error);
        Assert.Equal(1000, received);
        Assert.Equal(1, rule.Fired);
    }

    [Fact]
    public async Task ShortBodyAnnouncesTheRangeThenSendsFewerBytes()
    {
        var rule = _origin.Faults.ShortBody(Clip, missingBytes: 10, method: "GET");
        using var request = new HttpRequestMessage(HttpMethod.Get, _origin.UrlOf(Clip)) { Headers = { Range = new RangeHeaderValue(0, 49) } };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("bytes 0-49/100", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(50, response.Content.Headers.ContentLength);
        var (received, error) = await ReadUntilFailure(response);
        Assert.NotNull(error);
        Assert.Equal(40, received);
        Assert.Equal(1, rule.Fired);
        Assert.Equal((206, 40L), (_origin.Requests.Single().Status, _origin.Requests.Single().BytesSent));
    }

    [Fact]
    public async Task WrongTotalAnnouncesAnotherTotalWithTheRightBytesAndOnlyOnRanges()
    {
        var rule = _origin.Faults.WrongTotal(Clip, total: 999);
        using var whole = await _http.GetAsync(_origin.UrlOf(Clip));
        Assert.Equal(0, rule.Fired); // a 200 has no Content-Range to get wrong
        using var response = await GetWithRange("bytes=10-19");
        Assert.Equal("bytes 10-19/999", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(Content[10..20], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, rule.Fired);
        Assert.Equal(OriginFaultKind.WrongTotal, _origin.Requests[^1].Fault);
    }

    [Fact]
    public async Task ChangeAfterReplacesTheObjectOnceTheGivenRequestsFoundIt()
    {
        var replacement = Encoding.ASCII.GetBytes("a different, longer content than before? no, but different");
        var rule = _origin.Faults.ChangeAfter(Clip, requests: 2, replacement);
        var first = await Head();
        var second = await GetWith(r => { r.Headers.IfMatch.Add(first.ETag!); r.Headers.Range = new RangeHeaderValue(0, 9); });
        Assert.Equal(HttpStatusCode.PartialContent, second.StatusCode); // the second request is still answered from the old content
        Assert.Equal(Content[..10], await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, rule.Fired);

        var stale = await GetWith(r => r.Headers.IfMatch.Add(first.ETag!));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var staleByDate = await GetWith(r => r.Headers.IfUnmodifiedSince = first.LastModified);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleByDate.StatusCode);
        var fresh = await GetWith(_ => { });
        Assert.Equal(replacement, await fresh.Content.ReadAsByteArrayAsync());
        Assert.NotEqual(first.ETag, fresh.Headers.ETag);
        Assert.True(fresh.Content.Headers.LastModified > first.LastModified);
        Assert.Equal(1, rule.Fired);
        Assert.Equal(OriginFaultKind.ChangeAfter, _origin.Requests[1].Fault);
    }

    [Fact]
    public async Task StallSendsTheHeadersThenNothingUntilTheClientGivesUp()
    {
        var rule = _origin.Faults.Stall(Clip);
        Assert.Equal(HttpStatusCode.OK, (await Head()).Status); // a HEAD has no body to stall
        Assert.Equal(0, rule.Fired);
        using var response = await _http.GetAsync(_origin.UrlOf(Clip), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(100, response.Content.Headers.ContentLength);
        using var inactivity = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var body = await response.Content.ReadAsStreamAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await body.ReadAtLeastAsync(new byte[100], 1, cancellationToken: inactivity.Token));
        Assert.Equal(1, rule.Fired);
        var stalled = _origin.Requests[^1];
        Assert.Equal((200, 0L, (OriginFaultKind?)OriginFaultKind.Stall), (stalled.Status, stalled.BytesSent, stalled.Fault));
    }

    [Fact]
    public async Task AStalledAnswerEndsWhenTheOriginIsDisposed()
    {
        var origin = await EmulatorOrigin.StartAsync();
        origin.Put(Clip, Content);
        origin.Faults.Stall(Clip, times: OriginFaultRule.Always);
        using var response = await _http.GetAsync(origin.UrlOf(Clip), HttpCompletionOption.ResponseHeadersRead);
        await origin.DisposeAsync();
        var (received, error) = await ReadUntilFailure(response);
        Assert.Equal(0, received);
        Assert.NotNull(error);
    }

    [Fact]
    public async Task ServesParallelRangedGetsThatReassembleTheObject()
    {
        var big = RandomNumberGenerator.GetBytes(1024 * 1024);
        _origin.Put("big.bin", big);
        const int parts = 8;
        const int partSize = 1024 * 1024 / parts;
        var etag = (await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, _origin.UrlOf("big.bin")))).Headers.ETag!;
        var fetched = await Task.WhenAll(Enumerable.Range(0, parts).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _origin.UrlOf("big.bin")) { Headers = { Range = new RangeHeaderValue(i * partSize, ((i + 1) * partSize) - 1), IfMatch = { etag } } };
            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            return await response.Content.ReadAsByteArrayAsync();
        }));
        Assert.Equal(big, fetched.SelectMany(part => part).ToArray());
        Assert.Equal(parts, _origin.Requests.Count(r => r.Status == 206 && r.BytesSent == partSize));
    }

    [Fact]
    public async Task DelayHeadersHoldsTheAnswerBackUntilTheClientTimesOut()
    {
        var rule = _origin.Faults.DelayHeaders(Clip, TimeSpan.FromMinutes(1));
        using var impatient = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMilliseconds(300) };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.GetAsync(_origin.UrlOf(Clip)));
        Assert.Equal(1, rule.Fired);
        Assert.Equal(OriginFaultKind.DelayHeaders, _origin.Requests.Single().Fault);
        Assert.Equal(Content, await _http.GetByteArrayAsync(_origin.UrlOf(Clip))); // once only
    }

    [Fact]
    public void FaultArgumentsAreCheckedWhenDeclared()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _origin.Faults.Status(Clip, 99));
        Assert.Throws<ArgumentOutOfRangeException>(() => _origin.Faults.DropMidBody(Clip, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _origin.Faults.ShortBody(Clip, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _origin.Faults.ChangeAfter(Clip, 0, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => _origin.Faults.Stall(Clip, times: 0));
        Assert.Throws<ArgumentException>(() => _origin.Faults.Stall("a/../b"));
        Assert.Empty(_origin.Faults.Rules);
    }

    // ---- request log ----

    [Fact]
    public async Task LogsMethodPathQueryConditionalsStatusBytesAndHeaders()
    {
        var etag = (await Head()).ETag!;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_origin.UrlOf(Clip) + "?sig=abc&x=1"));
        request.Headers.Range = new RangeHeaderValue(5, 14);
        request.Headers.IfMatch.Add(etag);
        request.Headers.IfUnmodifiedSince = DateTimeOffset.UtcNow.AddHours(1);
        request.Headers.TryAddWithoutValidation("X-Trace", "t-1");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);

        var logged = _origin.Requests[1];
        Assert.Equal(("GET", Clip, "?sig=abc&x=1"), (logged.Method, logged.Path, logged.Query));
        Assert.Equal(("bytes=5-14", etag.Tag), (logged.Range, logged.IfMatch));
        Assert.NotNull(logged.IfUnmodifiedSince);
        Assert.Equal((206, 10L, (OriginFaultKind?)null), (logged.Status, logged.BytesSent, logged.Fault));
        Assert.True(logged.HasHeader("x-trace"));
        Assert.Equal("t-1", logged.Header("X-Trace"));
        Assert.Null(logged.Header("Authorization"));
        Assert.Contains("X-Trace", logged.HeaderNames);
        Assert.Equal(("HEAD", string.Empty, (string?)null), (_origin.Requests[0].Method, _origin.Requests[0].Query, _origin.Requests[0].Range));
        Assert.Contains("status=206", logged.ToString(), StringComparison.Ordinal);
    }

    // ---- files ----

    [Fact]
    public async Task ServesARangeAtTheEndOfABigSparseFileAndDerivesItsETagFromSizeAndTime()
    {
        var directory = Directory.CreateTempSubdirectory("vodraw-origin-");
        try
        {
            var path = Path.Combine(directory.FullName, "big.mp4");
            const long size = 64L * 1024 * 1024;
            using (var file = File.Create(path))
            {
                file.SetLength(size);
                file.Position = size - 4;
                file.Write("TAIL"u8);
            }

            _origin.PutFile("bench/big.mp4", path);
            using var tail = await GetWithRange("bytes=-8", "bench/big.mp4");
            Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
            Assert.Equal($"bytes {size - 8}-{size - 1}/{size}", tail.Content.Headers.GetValues("Content-Range").Single());
            Assert.Equal("\0\0\0\0TAIL"u8.ToArray(), await tail.Content.ReadAsByteArrayAsync());
            Assert.Equal("video/mp4", tail.Content.Headers.ContentType!.MediaType);
            var before = tail.Headers.ETag!;

            File.SetLastWriteTimeUtc(path, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
            using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, _origin.UrlOf("bench/big.mp4")));
            Assert.Equal(size, head.Content.Headers.ContentLength);
            Assert.NotEqual(before, head.Headers.ETag);
            Assert.Equal(new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero), head.Content.Headers.LastModified);
            Assert.Equal(8, _origin.Requests[0].BytesSent);

            File.Delete(path);
            Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(_origin.UrlOf("bench/big.mp4"))).StatusCode);
            Assert.Throws<FileNotFoundException>(() => _origin.PutFile("x.bin", path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ServesTheRootDirectorysFilesAndNothingOutsideIt()
    {
        using var tree = new ConfinementTree();
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { RootDirectory = tree.Root });
        Assert.Equal("inside", Encoding.ASCII.GetString(await _http.GetByteArrayAsync(origin.UrlOf("inside.txt"))));
        Assert.Equal("deep", Encoding.ASCII.GetString(await _http.GetByteArrayAsync(origin.UrlOf("sub/deep.txt"))));
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(origin.UrlOf("sub"))).StatusCode); // no listing
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(origin.UrlOf("link-out.txt"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(origin.UrlOf("sub-link/secret.txt"))).StatusCode);
        origin.Put("inside.txt", "put wins"u8.ToArray());
        Assert.Equal("put wins", Encoding.ASCII.GetString(await _http.GetByteArrayAsync(origin.UrlOf("inside.txt"))));
    }

    public static TheoryData<string> EscapingTargets => new()
    {
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/sub/..%2F..%2Fsecret.txt",
        "/%252e%252e/secret.txt",
        "//{outside}/secret.txt",
        "/{outside-encoded}%2Fsecret.txt",
        "/..\\secret.txt",
        "/..%5Csecret.txt",
        "/sub/..%5C..%5Csecret.txt",
        "/%5C{outside}%5Csecret.txt",
        "/secret.txt%00",
        "/%00/../secret.txt",
        "/inside.txt%00/../../secret.txt",
        "/C:%5C{outside}%5Csecret.txt",
        "http://{authority}/../secret.txt",
        "http://{authority}/%2e%2e/secret.txt",
        "http://{authority}//{outside}/secret.txt",
    };

    [Theory]
    [MemberData(nameof(EscapingTargets))]
    public async Task NoRequestTargetLeavesTheRootDirectory(string target)
    {
        using var tree = new ConfinementTree();
        await using var origin = await EmulatorOrigin.StartAsync(new EmulatorOriginOptions { RootDirectory = tree.Root });
        target = target.Replace("{outside}", tree.Outside.TrimStart('/'), StringComparison.Ordinal)
            .Replace("{outside-encoded}", Uri.EscapeDataString(tree.Outside.TrimStart('/')), StringComparison.Ordinal)
            .Replace("{authority}", origin.BaseAddress.Authority, StringComparison.Ordinal);
        var (status, head, body) = await RawAsync(origin.BaseAddress, "GET", target);
        Assert.DoesNotContain(ConfinementTree.Secret, Encoding.Latin1.GetString(body), StringComparison.Ordinal);
        // 404: the origin refused it itself (and logged it); 400: Kestrel refused the request line first (NUL).
        Assert.True((status == 404 && origin.Requests.Count == 1) || (status == 400 && origin.Requests.Count == 0), $"{target} answered {status}:\n{head}");
    }

    [Theory]
    [InlineData("../secret.txt")]
    [InlineData("sub/../../secret.txt")]
    [InlineData("sub/..")]
    [InlineData("./inside.txt")]
    [InlineData("/{outside}/secret.txt")]
    [InlineData("{outside}/secret.txt")]
    [InlineData("..\\secret.txt")]
    [InlineData("sub\\..\\..\\secret.txt")]
    [InlineData("inside.txt\0")]
    [InlineData("C:\\secret.txt")]
    [InlineData("inside.txt:stream")]
    [InlineData("inside.txt.")]
    [InlineData("link-out.txt")]
    [InlineData("sub-link/secret.txt")]
    [InlineData("sub")]
    [InlineData("")]
    public void TheRootDirectoryResolvesNoPathOutsideItEvenUnchecked(string key)
    {
        using var tree = new ConfinementTree();
        var directory = new OriginDirectory(tree.Root);
        Assert.Null(directory.Resolve(key.Replace("{outside}", tree.Outside.TrimStart('/'), StringComparison.Ordinal)));
        Assert.Equal(Path.Combine(directory.Root, "sub", "deep.txt"), directory.Resolve("sub/deep.txt"));
    }

    [Theory]
    [InlineData("/a/b", "a/b")]
    [InlineData("/a%20b/c%2Ed", "a b/c.d")]
    [InlineData("/%C3%A9", "é")]
    [InlineData("/a/%2e%2e/b", null)]
    [InlineData("/a%2Fb", null)]
    [InlineData("/a/", null)]
    [InlineData("//a", null)]
    [InlineData("/a%5Cb", null)]
    [InlineData("/a%00", null)]
    [InlineData("/a%zz", null)]
    [InlineData("/a%2", null)]
    [InlineData("/%C3", null)]
    [InlineData("a", null)]
    public void ARequestPathIsSplitAtRawSlashesThenDecodedOnce(string raw, string? key)
    {
        Assert.Equal(key, OriginPath.FromRequest(raw));
    }

    // ---- helpers ----

    private Task<HttpResponseMessage> GetWithRange(string range, string path = Clip) =>
        GetWith(r => r.Headers.TryAddWithoutValidation("Range", range), path);

    private async Task<HttpResponseMessage> GetWith(Action<HttpRequestMessage> configure, string path = Clip)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _origin.UrlOf(path));
        configure(request);
        return await _http.SendAsync(request);
    }

    private async Task<(HttpStatusCode Status, EntityTagHeaderValue? ETag, DateTimeOffset? LastModified)> Head()
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, _origin.UrlOf(Clip)));
        return (response.StatusCode, response.Headers.ETag, response.Content.Headers.LastModified);
    }

    private static async Task<(long Received, Exception? Error)> ReadUntilFailure(HttpResponseMessage response)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var buffer = new byte[8192];
        long received = 0;
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received += n;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return (received, e);
        }

        return (received, null);
    }

    /// <summary>One request written by hand (so that no client normalises the target), read until the origin closes.</summary>
    private static async Task<(int Status, string Head, byte[] Body)> RawAsync(Uri baseAddress, string method, string target)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes($"{method} {target} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nConnection: close\r\n\r\n"), timeout.Token);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var all = received.ToArray();
        var split = all.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.Latin1.GetString(all, 0, split < 0 ? all.Length : split);
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, head, split < 0 ? [] : all[(split + 4)..]);
    }

    /// <summary>
    /// A temporary tree: root/inside.txt, root/sub/deep.txt, a secret beside the root, and links in the root to the
    /// secret and to the secret's directory.
    /// </summary>
    private sealed class ConfinementTree : IDisposable
    {
        public const string Secret = "TOP-SECRET-OUTSIDE-THE-ROOT";
        private readonly DirectoryInfo _top = Directory.CreateTempSubdirectory("vodraw-origin-");

        public ConfinementTree()
        {
            Root = Directory.CreateDirectory(Path.Combine(_top.FullName, "root")).FullName;
            Outside = Directory.CreateDirectory(Path.Combine(_top.FullName, "outside")).FullName;
            File.WriteAllText(Path.Combine(Outside, "secret.txt"), Secret);
            File.WriteAllText(Path.Combine(_top.FullName, "secret.txt"), Secret);
            File.WriteAllText(Path.Combine(Root, "inside.txt"), "inside");
            Directory.CreateDirectory(Path.Combine(Root, "sub"));
            File.WriteAllText(Path.Combine(Root, "sub", "deep.txt"), "deep");
            File.CreateSymbolicLink(Path.Combine(Root, "link-out.txt"), Path.Combine(Outside, "secret.txt"));
            Directory.CreateSymbolicLink(Path.Combine(Root, "sub-link"), Outside);
        }

        public string Root { get; }

        /// <summary>A directory outside the root holding secret.txt (an absolute path).</summary>
        public string Outside { get; }

        public void Dispose() => _top.Delete(recursive: true);
    }
}
