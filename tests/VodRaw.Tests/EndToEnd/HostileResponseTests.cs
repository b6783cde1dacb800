using VodRaw.Tests.Support;
using WireMock.Server;
using WireMock.Settings;

namespace VodRaw.Tests.EndToEnd;

/// <summary>
/// Odd and hostile wire responses, served by WireMock from the mapping files in spec/wiremock (base/ holds the
/// well-behaved service, each other folder overrides one call). Every case ends in a retry that succeeds or a
/// precise <see cref="VodRawException"/>: never a NullReferenceException, a hang or a success with missing data.
/// </summary>
public sealed class HostileResponseTests : IDisposable
{
    private const string SmallFile = "small";
    private const string MultipartFile = "multipart";
    private static readonly string Mappings = Path.Combine(RepositoryRoot.Path, "spec", "wiremock");

    private readonly WireMockServer _server = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });
    private readonly string _directory = Directory.CreateTempSubdirectory("vodraw-wm-").FullName;

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("vod-503-then-200", SmallFile, "ApplyUpload", 2)]
    [InlineData("cos-html-503-then-200", MultipartFile, "UploadPart", 5)]
    public async Task AStateSequenceEndsInARetryThatSucceeds(string scenario, string file, string retried, int expectedRequests)
    {
        Load(scenario);
        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", Request(file));
        Assert.Equal("5285890000000000001", response.FileId);
        Assert.Equal("wm-commit-1", response.RequestId);
        if (retried == "ApplyUpload")
        {
            Assert.Equal(expectedRequests, Count("ApplyUpload"));
        }
        else
        {
            Assert.Equal(expectedRequests, _server.LogEntries.Count(e => e.RequestMessage?.Method == "PUT"));
        }
    }

    [Theory]
    [InlineData("vod-missing-fields", "ApplyUpload", "InvalidResponse", 1)]
    [InlineData("vod-mistyped-fields", "ApplyUpload", "InvalidResponse", 3)]
    [InlineData("vod-json-array", "ApplyUpload", "InvalidResponse", 3)]
    [InlineData("vod-empty-200", "ApplyUpload", "InvalidResponse", 3)]
    [InlineData("vod-error-without-code", "ApplyUpload", "UnknownError", 1)]
    [InlineData("vod-html-502", "ApplyUpload", "ServerNetworkError", 3)]
    [InlineData("vod-malformed-chunk", "ApplyUpload", "InvalidResponse", 3)]
    [InlineData("vod-empty-response", "CommitUpload", "InvalidResponse", 3)]
    [InlineData("vod-slow-body", "ApplyUpload", "Timeout", 3)]
    public async Task AnOddVodReplyEndsInAPreciseVodApiException(string scenario, string action, string code, int attempts)
    {
        Load(scenario);
        using var client = Client();
        var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", Request(SmallFile)).WaitAsync(TimeSpan.FromSeconds(50)));
        Assert.Equal(action, error.Action);
        Assert.Equal(action, error.Operation);
        Assert.Equal(code, error.Code);
        Assert.Equal(attempts, error.Attempts);
        if (code != "Timeout")
        {
            Assert.Equal(attempts, Count(action)); // WireMock logs an abandoned (timed-out) request only sometimes
        }
        if (action == "ApplyUpload")
        {
            Assert.DoesNotContain(_server.LogEntries, e => e.RequestMessage?.Method is "PUT" or "DELETE");
        }

        AssertNoSecret(error);
    }

    [Theory]
    [InlineData("cos-put-error-body", SmallFile, "PutObject", "InternalError", 3)]
    [InlineData("cos-put-no-etag", SmallFile, "PutObject", "InvalidResponse", 3)]
    [InlineData("cos-initiate-error-body", MultipartFile, "InitiateMultipartUpload", "InternalError", 3)]
    [InlineData("cos-initiate-truncated-xml", MultipartFile, "InitiateMultipartUpload", "InvalidResponse", 3)]
    [InlineData("cos-part-error-body", MultipartFile, "UploadPart", "InternalError", 3)]
    [InlineData("cos-complete-error-body", MultipartFile, "CompleteMultipartUpload", "InternalError", 3)]
    [InlineData("cos-complete-truncated-xml", MultipartFile, "CompleteMultipartUpload", "InvalidResponse", 3)]
    [InlineData("cos-abort-error-body", MultipartFile, "UploadPart", "AccessDenied", 1)]
    public async Task AnOddCosReplyEndsInAPreciseCosExceptionAndNoCommit(string scenario, string file, string operation, string code, int attempts)
    {
        Load(scenario);
        using var client = Client();
        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", Request(file)).WaitAsync(TimeSpan.FromSeconds(50)));
        Assert.Equal(operation, error.Operation);
        Assert.Equal(code, error.Code);
        Assert.Equal(attempts, error.Attempts);
        Assert.Equal("wmdir/f0.mp4", error.Key);
        Assert.Equal(scenario == "cos-put-no-etag", string.IsNullOrEmpty(error.RequestId)); // present whenever the reply carried one
        Assert.Equal(0, Count("CommitUpload"));
        if (scenario == "cos-abort-error-body")
        {
            // The abort's 200 carried an error: the upload is named as left open.
            var open = Assert.Single(error.OpenUploads);
            Assert.Equal("wm-upload-1", open.UploadId);
            Assert.Equal(VodRaw.Cos.CosObjectTarget.AbortAttempts, _server.LogEntries.Count(e => e.RequestMessage?.Method == "DELETE"));
        }
        else if (file == MultipartFile && operation != "InitiateMultipartUpload")
        {
            Assert.Empty(error.OpenUploads);
            Assert.Equal(1, _server.LogEntries.Count(e => e.RequestMessage?.Method == "DELETE"));
        }

        AssertNoSecret(error);
    }

    [Fact]
    public async Task AHugeVodReplyIsRefusedNotBuffered()
    {
        Load(null);
        _server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/").UsingPost().WithHeader("X-TC-Action", "ApplyUpload"))
            .AtPriority(1)
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("{\"Response\":{\"RequestId\":\"" + new string('x', 5 << 20) + "\"}}"));
        using var client = Client();
        var error = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", Request(SmallFile)));
        Assert.Equal("InvalidResponse", error.Code);
        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    private void Load(string? scenario)
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Mappings, "base"), "*.json"))
        {
            _server.ReadStaticMappingAndAddOrUpdate(file);
        }

        if (scenario is not null)
        {
            var files = Directory.GetFiles(Path.Combine(Mappings, scenario), "*.json");
            Assert.NotEmpty(files);
            foreach (var file in files)
            {
                _server.ReadStaticMappingAndAddOrUpdate(file);
            }
        }
    }

    private int Count(string action) =>
        _server.LogEntries.Count(e => e.RequestMessage?.Headers is { } h && h.TryGetValue("X-TC-Action", out var v) && v.Contains(action));

    private VodUploadClient Client() => new(new VodCredential("AKIDWIREMOCKTEST", "wiremock-test-key"), new VodUploadClientOptions
    {
        VodEndpoint = new Uri(_server.Url! + "/"),
        CosEndpointTemplate = _server.Url + "/{bucket}",
        HttpHandler = new SocketsHttpHandler { UseProxy = false },
        InactivityTimeout = TimeSpan.FromMilliseconds(500),
        Retry = new RetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize, Concurrency = 1 }, // scenario states are sequential
    });

    private VodUploadRequest Request(string kind)
    {
        var path = Path.Combine(_directory, kind + ".mp4");
        if (!File.Exists(path))
        {
            File.WriteAllBytes(path, new byte[kind == SmallFile ? 1000 : (3 * 1024 * 1024) + 10]);
        }

        return new VodUploadRequest { MediaFilePath = path };
    }

    private static void AssertNoSecret(Exception error)
    {
        var text = error.ToString();
        foreach (var secret in new[] { "wiremock-test-key", "wiremock-temp-key", "wiremock-token" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }
}
