using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.Time.Testing;
using VodRaw.Emulator;
using VodRaw.Hashing;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

public sealed class CosTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private VodEmulator _emulator = null!;
    private RawRequests _raw = null!;
    private JsonElement _apply;
    private EmulatorCredential _temp = null!;
    private string _bucket = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { TimeProvider = _time });
        _raw = new RawRequests(_emulator, _time);
        (_apply, _temp, _bucket, _directory) = await _raw.OpenSessionAsync();
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _emulator.DisposeAsync();
    }

    [Theory]
    [InlineData("f0.mp4")]
    [InlineData("中文 片段 1.ts")]
    [InlineData("My Video+(1)=é视频 #?.mp4")]
    [InlineData("gear4/test/./fileSequence0.ts")]
    public async Task StoresASignedPutWithItsMd5EtagAndCrc(string name)
    {
        var body = Encoding.UTF8.GetBytes("ObjectContent");
        var response = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + name, _temp, body);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"", response.Headers.ETag!.Tag);
        Assert.Equal("2900061071848923409", response.Headers.GetValues("x-cos-hash-crc64ecma").Single());
        Assert.True(response.Headers.Contains("x-cos-request-id"));
        Assert.Equal(body, _emulator.GetObject(_bucket, _directory + name)!.ReadAllBytes());
    }

    [Fact]
    public async Task ServesVirtualHostStyleAddressingThroughTheHostHeader()
    {
        var key = _directory + "vh.mp4";
        var response = await _raw.CosAsync(HttpMethod.Put, _bucket, key, _temp, "virtual host"u8.ToArray(), virtualHost: true);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("virtual host", Encoding.UTF8.GetString(_emulator.GetObject(_bucket, key)!.ReadAllBytes()));
    }

    [Fact]
    public async Task ServesAbsoluteFormTargetsSentToItAsAProxy()
    {
        var key = _directory + "proxied/clip 1.mp4";
        var response = await _raw.CosAsync(HttpMethod.Put, _bucket, key, _temp, "through a proxy"u8.ToArray(), viaProxy: true);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("through a proxy", Encoding.UTF8.GetString(_emulator.GetObject(_bucket, key)!.ReadAllBytes()));
        var listing = await _raw.CosAsync(HttpMethod.Get, _bucket, string.Empty, _temp, query: [new("uploads", string.Empty), new("prefix", _directory)], viaProxy: true);
        Assert.Equal(200, (int)listing.StatusCode);
        Assert.Equal("ListMultipartUploadsResult", XDocument.Parse(await listing.Content.ReadAsStringAsync()).Root!.Name.LocalName);
    }

    [Fact]
    public async Task RejectsATamperedSignatureWithCosXml()
    {
        var response = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "a.mp4", _temp with { SecretKey = "wrong" }, "x"u8.ToArray());
        await AssertCosError(response, 403, "SignatureDoesNotMatch");
        var tamperedHeader = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "a.mp4", _temp, "x"u8.ToArray(),
            headers: [new("Content-Type", "video/mp4")], tamper: r => r.Content!.Headers.ContentType = new("video/webm"));
        await AssertCosError(tamperedHeader, 403, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task ARefusedSignatureSaysWhatTheEmulatorSignedWithoutSecrets()
    {
        var response = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "debug.mp4", _temp with { SecretKey = "wrong-key" }, "x"u8.ToArray());
        var message = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element("Message")!.Value;
        Assert.Contains("HttpString was: put\\n/" + _directory + "debug.mp4", message, StringComparison.Ordinal);
        Assert.Contains("StringToSign: sha1\\n", message, StringComparison.Ordinal);
        Assert.Contains("x-cos-security-token=***", message, StringComparison.Ordinal);
        Assert.DoesNotContain(_temp.Token!, message, StringComparison.Ordinal);
        Assert.DoesNotContain(_temp.SecretKey, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectsAWrongTokenAnUnknownKeyAndWritesOutsideTheSession()
    {
        await AssertCosError(await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "a", _temp with { Token = "forged" }, "x"u8.ToArray()), 403, "InvalidAccessKeyId");
        await AssertCosError(await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "a", _temp with { SecretId = "AKIDNOBODY" }, "x"u8.ToArray()), 403, "InvalidAccessKeyId");
        await AssertCosError(await _raw.CosAsync(HttpMethod.Put, _bucket, "elsewhere/a", _temp, "x"u8.ToArray()), 403, "AccessDenied");
        await AssertCosError(await _raw.CosAsync(HttpMethod.Put, "otherbucket-1250000000", _directory + "a", _temp, "x"u8.ToArray()), 403, "AccessDenied");
    }

    [Fact]
    public async Task RejectsAnExpiredKeyTimeAndAnExpiredTemporaryCredential()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var old = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "a", _temp, "x"u8.ToArray(), keyTime: new(now - 7200, now - 3600));
        await AssertCosError(old, 403, "AccessDenied");

        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var expired = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "a", _temp, "x"u8.ToArray());
        await AssertCosError(expired, 403, "ExpiredToken");
    }

    [Fact]
    public async Task ChecksContentMd5WhenSent()
    {
        var body = "payload"u8.ToArray();
        var good = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "m", _temp, body, headers: [new("Content-MD5", Convert.ToBase64String(MD5.HashData(body)))]);
        Assert.Equal(200, (int)good.StatusCode);
        var bad = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "m2", _temp, body, headers: [new("Content-MD5", Convert.ToBase64String(MD5.HashData("other"u8)))]);
        await AssertCosError(bad, 400, "BadDigest");
        Assert.Null(_emulator.GetObject(_bucket, _directory + "m2"));
    }

    [Fact]
    public async Task AssemblesAMultipartUploadByteExactWithTheCombinedCrc()
    {
        var key = _directory + "big.mp4";
        var data = new byte[(2 * 1024 * 1024) + 777];
        new Random(5).NextBytes(data);
        var uploadId = await InitiateAsync(key);
        var parts = new[] { data.AsMemory(0, 1024 * 1024), data.AsMemory(1024 * 1024, 1024 * 1024), data.AsMemory(2 * 1024 * 1024) };
        var etags = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            var response = await _raw.CosAsync(HttpMethod.Put, _bucket, key, _temp, parts[i].ToArray(), query: [new("partNumber", (i + 1).ToString(CultureInfo.InvariantCulture)), new("uploadId", uploadId)]);
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(Crc64.Compute(parts[i].Span).ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("x-cos-hash-crc64ecma").Single());
            etags.Add(response.Headers.ETag!.Tag);
        }

        var list = await _raw.CosAsync(HttpMethod.Get, _bucket, key, _temp, query: [new("uploadId", uploadId)]);
        var listed = XDocument.Parse(await list.Content.ReadAsStringAsync()).Root!.Elements("Part").Select(p => p.Element("ETag")!.Value).ToArray();
        Assert.Equal(etags, listed);

        var complete = await CompleteAsync(key, uploadId, etags.Select((e, i) => (i + 1, e)));
        Assert.Equal(200, (int)complete.StatusCode);
        var text = await complete.Content.ReadAsStringAsync();
        // The declaration first, then keep-alive whitespace, then the result: a strict parser (XDocument here,
        // Python's in cos-python-sdk-v5) reads the body as it arrived, untrimmed.
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n ", text, StringComparison.Ordinal);
        Assert.Equal("CompleteMultipartUploadResult", XDocument.Parse(text).Root!.Name.LocalName);
        Assert.Equal(Crc64.Compute(data).ToString(CultureInfo.InvariantCulture), complete.Headers.GetValues("x-cos-hash-crc64ecma").Single());
        Assert.Equal(data, _emulator.GetObject(_bucket, key)!.ReadAllBytes());
        Assert.Equal(0, _emulator.PendingMultipartUploads);
    }

    [Fact]
    public async Task CompleteRefusesSmallPartsWrongOrderAndUnknownParts()
    {
        var key = _directory + "p.mp4";
        var uploadId = await InitiateAsync(key);
        var e1 = (await _raw.CosAsync(HttpMethod.Put, _bucket, key, _temp, new byte[10], query: [new("partNumber", "1"), new("uploadId", uploadId)])).Headers.ETag!.Tag;
        var e2 = (await _raw.CosAsync(HttpMethod.Put, _bucket, key, _temp, new byte[10], query: [new("partNumber", "2"), new("uploadId", uploadId)])).Headers.ETag!.Tag;

        await AssertCosError(await CompleteAsync(key, uploadId, [(1, e1), (2, e2)]), 400, "EntityTooSmall");
        await AssertCosError(await CompleteAsync(key, uploadId, [(2, e2), (1, e1)]), 400, "InvalidPartOrder");
        await AssertCosError(await CompleteAsync(key, uploadId, [(1, e1), (3, e2)]), 400, "InvalidPart");
        await AssertCosError(await CompleteAsync(key, uploadId, [(1, "\"0000\"")]), 400, "InvalidPart");
        Assert.Equal(200, (int)(await CompleteAsync(key, uploadId, [(1, e1)])).StatusCode);
    }

    [Fact]
    public async Task CompleteRejectsDtdsAndMalformedXml()
    {
        var key = _directory + "x.mp4";
        var uploadId = await InitiateAsync(key);
        var bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><CompleteMultipartUpload>&b;</CompleteMultipartUpload>";
        var response = await _raw.CosAsync(HttpMethod.Post, _bucket, key, _temp, Encoding.UTF8.GetBytes(bomb), query: [new("uploadId", uploadId)], headers: [new("Content-Type", "application/xml")]);
        await AssertCosError(response, 400, "MalformedXML");
    }

    [Fact]
    public async Task AbortRemovesTheUploadAndUnknownUploadsAre404()
    {
        var key = _directory + "ab.mp4";
        var uploadId = await InitiateAsync(key);
        Assert.Equal(1, _emulator.PendingMultipartUploads);
        var abort = await _raw.CosAsync(HttpMethod.Delete, _bucket, key, _temp, [], query: [new("uploadId", uploadId)]);
        Assert.Equal(204, (int)abort.StatusCode);
        Assert.Contains(uploadId, _emulator.AbortedUploads);
        Assert.Equal(0, _emulator.PendingMultipartUploads);
        var part = await _raw.CosAsync(HttpMethod.Put, _bucket, key, _temp, new byte[1], query: [new("partNumber", "1"), new("uploadId", uploadId)]);
        await AssertCosError(part, 404, "NoSuchUpload");
    }

    [Fact]
    public async Task HeadAndGetReturnTheStoredObject()
    {
        var key = _directory + "h.mp4";
        await _raw.CosAsync(HttpMethod.Put, _bucket, key, _temp, "Hello, World!"u8.ToArray());
        var head = await _raw.CosAsync(HttpMethod.Head, _bucket, key, _temp);
        Assert.Equal(200, (int)head.StatusCode);
        Assert.Equal("2884049718812637996", head.Headers.GetValues("x-cos-hash-crc64ecma").Single());
        var get = await _raw.CosAsync(HttpMethod.Get, _bucket, key, _temp);
        Assert.Equal("Hello, World!", await get.Content.ReadAsStringAsync());
        Assert.Equal(404, (int)(await _raw.CosAsync(HttpMethod.Head, _bucket, key + "nope", _temp)).StatusCode);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task StoresAPutSentChunkedOrAfterExpectContinue(bool chunked, bool expectContinue)
    {
        // COS takes Transfer-Encoding: chunked (no Content-Length, none signed); the Java and Go SDKs send Expect: 100-continue.
        var key = _directory + $"te-{chunked}-{expectContinue}.mp4";
        var body = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31)).ToArray();
        var response = await _raw.CosAsync(HttpMethod.Put, _bucket, key, _temp, body, chunked: chunked, expectContinue: expectContinue,
            tamper: r => Assert.Equal(chunked, r.Headers.TransferEncodingChunked == true));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(body, _emulator.GetObject(_bucket, key)!.ReadAllBytes());
        Assert.Equal(body.Length, _emulator.Requests.Last(r => r.Operation == EmulatorOperation.PutObject).BodyBytes);
    }

    [Fact]
    public async Task ListMultipartUploadsRollsKeysUpAtTheDelimiterAndUrlEncodesWhenAsked()
    {
        // As cos-python-sdk-v5 asks before a multipart upload: every parameter present, delimiter empty, encoding url.
        await InitiateAsync(_directory + "a.mp4");
        await InitiateAsync(_directory + "gear 1/x+y.ts");
        await InitiateAsync(_directory + "gear 1/z.ts");
        await InitiateAsync(_directory + "视频.mp4");

        var python = await ListAsync([new("prefix", _directory), new("delimiter", ""), new("key-marker", ""), new("upload-id-marker", ""), new("max-uploads", "1000"), new("encoding-type", "url")]);
        Assert.Equal("url", python.Element("EncodingType")!.Value);
        Assert.Equal(_directory, python.Element("Prefix")!.Value);
        Assert.Equal(
            [_directory + "a.mp4", _directory + "gear%201/x%2By.ts", _directory + "gear%201/z.ts", _directory + "%E8%A7%86%E9%A2%91.mp4"],
            python.Elements("Upload").Select(u => u.Element("Key")!.Value));
        Assert.Equal(
            [_directory + "a.mp4", _directory + "gear 1/x+y.ts", _directory + "gear 1/z.ts", _directory + "视频.mp4"],
            python.Elements("Upload").Select(u => Uri.UnescapeDataString(u.Element("Key")!.Value)));

        var rolled = await ListAsync([new("prefix", _directory), new("delimiter", "/")]);
        Assert.Equal("/", rolled.Element("Delimiter")!.Value);
        Assert.Null(rolled.Element("EncodingType"));
        Assert.Equal([_directory + "a.mp4", _directory + "视频.mp4"], rolled.Elements("Upload").Select(u => u.Element("Key")!.Value));
        Assert.Equal([_directory + "gear 1/"], rolled.Elements("CommonPrefixes").Select(c => c.Element("Prefix")!.Value));

        // A rolled-up prefix counts against max-uploads like an upload.
        var paged = await ListAsync([new("prefix", _directory), new("delimiter", "/"), new("max-uploads", "2")]);
        Assert.Equal("true", paged.Element("IsTruncated")!.Value);
        Assert.Single(paged.Elements("Upload"));
        Assert.Single(paged.Elements("CommonPrefixes"));

        var refused = await _raw.CosAsync(HttpMethod.Get, _bucket, string.Empty, _temp, query: [new("uploads", string.Empty), new("prefix", _directory), new("encoding-type", "base64")]);
        await AssertCosError(refused, 400, "InvalidArgument");
    }

    private async Task<XElement> ListAsync(KeyValuePair<string, string>[] parameters)
    {
        var response = await _raw.CosAsync(HttpMethod.Get, _bucket, string.Empty, _temp, query: [new("uploads", string.Empty), .. parameters]);
        Assert.Equal(200, (int)response.StatusCode);
        return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
    }

    [Theory]
    [InlineData("819199")]
    [InlineData("838860801")]
    [InlineData("fast")]
    [InlineData("-1")]
    public async Task ALimitOutsideCossRangeIsRefused(string limit)
    {
        var response = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "limited.mp4", _temp, new byte[10], headers: [new("x-cos-traffic-limit", limit)]);
        await AssertCosError(response, 400, "InvalidArgument");
        Assert.Null(_emulator.GetObject(_bucket, _directory + "limited.mp4"));
    }

    [Fact]
    public async Task ALimitedPutIsAnsweredOnlyWhenTheBodyCouldHaveArrivedAtThatRate()
    {
        // 204,800 bytes at 819,200 bit/s (100 KB/s): two seconds on the emulator's clock.
        var put = _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "limited.mp4", _temp, new byte[204_800], headers: [new("x-cos-traffic-limit", "819200")]);
        var advanced = TimeSpan.Zero;
        while (!put.IsCompleted && advanced < TimeSpan.FromSeconds(30))
        {
            await Task.WhenAny(put, Task.Delay(20));
            if (!put.IsCompleted)
            {
                _time.Advance(TimeSpan.FromMilliseconds(250));
                advanced += TimeSpan.FromMilliseconds(250);
            }
        }

        Assert.Equal(200, (int)(await put).StatusCode);
        Assert.InRange(advanced, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));

        // Without the header the same PUT is answered with the clock standing still.
        var free = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "free.mp4", _temp, new byte[204_800]);
        Assert.Equal(200, (int)free.StatusCode);
    }

    private async Task<string> InitiateAsync(string key)
    {
        var response = await _raw.CosAsync(HttpMethod.Post, _bucket, key, _temp, [], query: [new("uploads", "")]);
        Assert.Equal(200, (int)response.StatusCode);
        return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
    }

    private Task<HttpResponseMessage> CompleteAsync(string key, string uploadId, IEnumerable<(int Number, string ETag)> parts)
    {
        var xml = new XElement("CompleteMultipartUpload", parts.Select(p => new XElement("Part", new XElement("PartNumber", p.Number), new XElement("ETag", p.ETag)))).ToString();
        return _raw.CosAsync(HttpMethod.Post, _bucket, key, _temp, Encoding.UTF8.GetBytes(xml), query: [new("uploadId", uploadId)], headers: [new("Content-Type", "application/xml")]);
    }

    internal static async Task AssertCosError(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, xml.Root!.Element("Code")!.Value);
        Assert.False(string.IsNullOrEmpty(xml.Root.Element("RequestId")!.Value));
        Assert.True(response.Headers.Contains("x-cos-request-id"));
    }
}
