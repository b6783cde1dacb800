using System.Net.Sockets;
using System.Text.Json;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

public sealed class FaultTests : IAsyncLifetime
{
    private VodEmulator _emulator = null!;
    private RawRequests _raw = null!;
    private EmulatorCredential _temp = null!;
    private string _bucket = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync();
        _raw = new RawRequests(_emulator);
        var apply = await _raw.ApplyAsync();
        _temp = RawRequests.TempCredentialOf(apply);
        _bucket = apply.GetProperty("StorageBucket").GetString()!;
        _key = apply.GetProperty("MediaStoragePath").GetString()![1..];
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task FailsTheNthMatchingRequestOnlyWithRetryAfter()
    {
        _emulator.Faults.Fail(EmulatorOperation.PutObject, 503, "SlowDown", occurrence: 2, retryAfter: TimeSpan.FromSeconds(2));
        Assert.Equal(200, (int)(await Put()).StatusCode);
        var second = await Put();
        await CosTests.AssertCosError(second, 503, "SlowDown");
        Assert.Equal(TimeSpan.FromSeconds(2), second.Headers.RetryAfter!.Delta);
        Assert.Equal(200, (int)(await Put()).StatusCode);
        Assert.Equal(1, _emulator.Faults.Rules.Single().Fired);
    }

    [Fact]
    public async Task MatchesOnPartNumber()
    {
        var uploadId = await Initiate();
        _emulator.Faults.Fail(EmulatorOperation.UploadPart, 500, "InternalError", partNumber: 2);
        Assert.Equal(200, (int)(await Part(1, uploadId)).StatusCode);
        Assert.Equal(500, (int)(await Part(2, uploadId)).StatusCode);
        Assert.Equal(200, (int)(await Part(2, uploadId)).StatusCode);
    }

    [Fact]
    public async Task ResetsTheConnectionMidBody()
    {
        _emulator.Faults.ResetConnection(EmulatorOperation.PutObject, afterBytes: 1000);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Put(new byte[4 * 1024 * 1024]));
        Assert.True(error is HttpRequestException or IOException or SocketException, error.ToString());
        Assert.Null(_emulator.GetObject(_bucket, _key));
        Assert.Equal(FaultKind.ResetConnection, _emulator.Requests.Last().Fault);
    }

    [Fact]
    public async Task StallsUntilTheClientGivesUp()
    {
        _emulator.Faults.Stall(EmulatorOperation.PutObject);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _raw.CosAsync(HttpMethod.Put, _bucket, _key, _temp, new byte[10]).WaitAsync(cts.Token));
    }

    [Fact]
    public async Task StallWithADurationAnswersRequestTimeout()
    {
        _emulator.Faults.Stall(EmulatorOperation.PutObject, TimeSpan.FromMilliseconds(50));
        var response = await Put();
        await CosTests.AssertCosError(response, 400, "RequestTimeout");
    }

    [Fact]
    public async Task DelaysThenAnswersNormally()
    {
        _emulator.Faults.Delay(EmulatorOperation.PutObject, TimeSpan.FromMilliseconds(20));
        Assert.Equal(200, (int)(await Put()).StatusCode);
        Assert.Equal(FaultKind.Delay, _emulator.Requests.Last().Fault);
    }

    [Fact]
    public async Task ReportsAWrongCrcForAPart()
    {
        var uploadId = await Initiate();
        _emulator.Faults.WrongCrc64(partNumber: 1);
        var response = await Part(1, uploadId);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.NotEqual(VodRaw.Hashing.Crc64.Compute(new byte[1024 * 1024]).ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("x-cos-hash-crc64ecma").Single());
    }

    [Fact]
    public async Task AnswersCompleteWithTwoHundredAndAnErrorBody()
    {
        var uploadId = await Initiate();
        var etag = (await Part(1, uploadId)).Headers.ETag!.Tag;
        _emulator.Faults.CompleteWithErrorBody("InternalError");
        var xml = $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>";
        var response = await _raw.CosAsync(HttpMethod.Post, _bucket, _key, _temp, System.Text.Encoding.UTF8.GetBytes(xml), query: [new("uploadId", uploadId)], headers: [new("Content-Type", "application/xml")]);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("<Error><Code>InternalError</Code>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(_emulator.GetObject(_bucket, _key));
    }

    [Fact]
    public async Task NewTemporaryCredentialsFollowTheConfiguredLifetime()
    {
        _emulator.TemporaryCredentialLifetime = TimeSpan.FromSeconds(90);
        var apply = await _raw.ApplyAsync();
        var expires = apply.GetProperty("TempCertificate").GetProperty("ExpiredTime").GetInt64();
        Assert.InRange(expires - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 80, 95);
    }

    private Task<HttpResponseMessage> Put(byte[]? body = null) => _raw.CosAsync(HttpMethod.Put, _bucket, _key, _temp, body ?? new byte[100]);

    private Task<HttpResponseMessage> Part(int number, string uploadId) =>
        _raw.CosAsync(HttpMethod.Put, _bucket, _key, _temp, new byte[1024 * 1024], query: [new("partNumber", number.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("uploadId", uploadId)]);

    private async Task<string> Initiate()
    {
        var response = await _raw.CosAsync(HttpMethod.Post, _bucket, _key, _temp, [], query: [new("uploads", "")]);
        return System.Xml.Linq.XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element("UploadId")!.Value;
    }
}
