using Microsoft.Extensions.Time.Testing;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

public sealed class CredentialProviderTests : IAsyncLifetime
{
    private UploadHarness _h = null!;

    public async Task InitializeAsync() => _h = await UploadHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private VodUploadClient Client(IVodCredentialProvider provider, Action<VodUploadClientOptions>? configure = null) => new(provider, _h.Options(configure));

    [Fact]
    public async Task EveryVodCallAsksTheProviderSoARotatedKeyIsUsedAtOnce()
    {
        var asked = 0;
        var good = new VodCredential(_h.Emulator.Credential.SecretId, _h.Emulator.Credential.SecretKey);
        var provider = new CountingProvider(() =>
        {
            asked++;
            return good;
        });
        using var client = Client(provider);
        var (media, _) = _h.File("rotating.mp4", 3000);

        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });

        Assert.Equal(3, asked); // the upload's start, ApplyUpload, CommitUpload
        good = new VodCredential(_h.Emulator.Credential.SecretId, "a revoked key");
        var refused = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));
        Assert.Equal("AuthFailure.SignatureFailure", refused.Code);
    }

    [Fact]
    public async Task ARefreshingProviderFetchesOnceUntilShortlyBeforeExpiryThenAgain()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fetches = 0;
        var provider = new RefreshingCredentialProvider(_ =>
        {
            fetches++;
            return ValueTask.FromResult((new VodCredential("AKIDsts" + fetches, "key" + fetches, "token"), clock.GetUtcNow().AddMinutes(30)));
        }, TimeSpan.FromMinutes(5), clock);

        var first = await provider.GetCredentialAsync(default);
        var again = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => provider.GetCredentialAsync(default).AsTask()));
        Assert.All(again, c => Assert.Same(first, c));
        clock.Advance(TimeSpan.FromMinutes(24));
        Assert.Same(first, await provider.GetCredentialAsync(default));
        clock.Advance(TimeSpan.FromMinutes(2)); // 4 minutes left: inside the margin
        var second = await provider.GetCredentialAsync(default);
        Assert.NotSame(first, second);
        Assert.Equal("AKIDsts2", second.SecretId);
        Assert.Equal(2, provider.Fetches);
    }

    [Fact]
    public async Task AFailedRefreshKeepsTheStillValidCredentialAndTriesAgainNextTime()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fail = false;
        var provider = new RefreshingCredentialProvider(_ => fail
            ? throw new HttpRequestException("sts down")
            : ValueTask.FromResult((new VodCredential("AKIDa", "k"), clock.GetUtcNow().AddMinutes(10))), TimeSpan.FromMinutes(5), clock);
        var first = await provider.GetCredentialAsync(default);
        clock.Advance(TimeSpan.FromMinutes(6));
        fail = true;
        Assert.Same(first, await provider.GetCredentialAsync(default)); // still valid for 4 minutes
        clock.Advance(TimeSpan.FromMinutes(5));
        await Assert.ThrowsAsync<HttpRequestException>(() => provider.GetCredentialAsync(default).AsTask()); // expired: the failure shows
    }

    [Fact]
    public async Task TheEnvironmentProviderReadsTheTencentCloudVariablesEachTime()
    {
        var env = new Dictionary<string, string?> { ["TENCENTCLOUD_SECRET_ID"] = "AKIDone", ["TENCENTCLOUD_SECRET_KEY"] = "k1" };
        var provider = new EnvironmentCredentialProvider(name => env.GetValueOrDefault(name));
        var one = await provider.GetCredentialAsync(default);
        Assert.Same(one, await provider.GetCredentialAsync(default));
        Assert.False(one.IsTemporary);
        env["TENCENTCLOUD_SECRET_KEY"] = "k2";
        env["TENCENTCLOUD_SESSION_TOKEN"] = "t";
        var two = await provider.GetCredentialAsync(default);
        Assert.NotSame(one, two);
        Assert.True(two.IsTemporary);
        env.Clear();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.GetCredentialAsync(default).AsTask());
        Assert.Contains("TENCENTCLOUD_SECRET_ID", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnHttpClientFromTheHostIsUsedAndNotDisposed()
    {
        var counting = new CountingHandler(new SocketsHttpHandler());
        using var http = new HttpClient(counting) { Timeout = Timeout.InfiniteTimeSpan };
        var (media, _) = _h.File("via-client.mp4", 2000);
        using (var client = new VodUploadClient(new VodCredential(_h.Emulator.Credential.SecretId, _h.Emulator.Credential.SecretKey), _h.Options(o =>
        {
            o.HttpHandler = null;
            o.HttpClient = http;
        })))
        {
            await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });
        }

        Assert.Equal(3, counting.Sent);
        using var stillUsable = await http.GetAsync(_h.Emulator.VodEndpoint); // not disposed by the client
        Assert.Throws<ArgumentException>(() => new VodUploadClient(new VodCredential("a", "b"), new VodUploadClientOptions { HttpClient = new HttpClient() })); // 100 s timeout refused
    }

    private sealed class CountingProvider(Func<VodCredential> next) : IVodCredentialProvider
    {
        public ValueTask<VodCredential> GetCredentialAsync(CancellationToken cancellationToken) => ValueTask.FromResult(next());
    }

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int Sent;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Sent);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
