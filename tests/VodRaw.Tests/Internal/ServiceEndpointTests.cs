namespace VodRaw.Tests.Internal;

public sealed class ServiceEndpointTests
{
    [Theory]
    [InlineData("https://vod.tencentcloudapi.com/", "https://vod.tencentcloudapi.com:443/")]
    [InlineData("https://vod.tencentcloudapi.com", "https://vod.tencentcloudapi.com:443/")]
    [InlineData("https://vod.tencentcloudapi.com:443/", "https://vod.tencentcloudapi.com:443/")]
    [InlineData("HTTPS://VOD.TencentCloudAPI.com/", "https://vod.tencentcloudapi.com:443/")]
    [InlineData("https://vod.tencentcloudapi.com./", "https://vod.tencentcloudapi.com:443/")]
    [InlineData("https://vod.tencentcloudapi.com:8443/", "https://vod.tencentcloudapi.com:8443/")]
    [InlineData("http://vod.tencentcloudapi.com/", "http://vod.tencentcloudapi.com:80/")]
    [InlineData("http://127.0.0.1:9000/", "http://127.0.0.1:9000/")]
    [InlineData("http://127.0.0.1:9000//", "http://127.0.0.1:9000/")]
    [InlineData("http://127.0.0.1:9000", "http://127.0.0.1:9000/")]
    [InlineData("http://localhost:9000/", "http://127.0.0.1:9000/")]
    [InlineData("http://LocalHost:9000/", "http://127.0.0.1:9000/")]
    [InlineData("http://localhost.:9000/", "http://127.0.0.1:9000/")]
    [InlineData("http://[::1]:9000/", "http://127.0.0.1:9000/")]
    [InlineData("http://[::ffff:127.0.0.1]:9000/", "http://127.0.0.1:9000/")]
    [InlineData("http://127.0.0.2:9000/", "http://127.0.0.1:9000/")]
    [InlineData("http://127.255.1.9:9000/", "http://127.0.0.1:9000/")]
    [InlineData("http://localhost/", "http://127.0.0.1:80/")]
    [InlineData("http://10.0.0.7:9000/", "http://10.0.0.7:9000/")]
    [InlineData("http://[2001:DB8:0:0::1]:9000/", "http://[2001:db8::1]:9000/")]
    [InlineData("http://127.0.0.1:9000/vod", "http://127.0.0.1:9000/vod")]
    [InlineData("http://127.0.0.1:9000/vod/", "http://127.0.0.1:9000/vod")]
    [InlineData("http://127.0.0.1:9000//vod//api///", "http://127.0.0.1:9000/vod/api")]
    [InlineData("http://127.0.0.1:9000/vod/?x=1", "http://127.0.0.1:9000/vod?x=1")]
    [InlineData("http://user:secret@127.0.0.1:9000/#part", "http://127.0.0.1:9000/")]
    [InlineData("http://bücher.example/", "http://xn--bcher-kva.example:80/")]
    public void AnEndpointHasOneSpelling(string given, string expected)
    {
        Assert.Equal(expected, ServiceEndpoint.Normalize(new Uri(given)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000/", "http://127.0.0.1:9001/")]
    [InlineData("http://127.0.0.1:9000/", "https://127.0.0.1:9000/")]
    [InlineData("http://127.0.0.1:9000/", "http://10.0.0.1:9000/")]
    [InlineData("http://127.0.0.1:9000/", "http://127.0.0.1:9000/vod")]
    [InlineData("https://vod.tencentcloudapi.com/", "https://vod.ap-guangzhou.tencentcloudapi.com/")]
    public void DifferentEndpointsStayDifferent(string one, string other)
    {
        Assert.NotEqual(ServiceEndpoint.Normalize(new Uri(one)), ServiceEndpoint.Normalize(new Uri(other)));
    }

    [Fact]
    public void ARelativeUriIsRefused()
    {
        Assert.Throws<ArgumentException>(() => ServiceEndpoint.Normalize(new Uri("/vod", UriKind.Relative)));
    }
}
