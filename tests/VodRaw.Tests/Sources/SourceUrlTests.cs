using VodRaw.Sources;

namespace VodRaw.Tests.Sources;

/// <summary>URL sources are checked completely before any request, and shown without what could be a secret.</summary>
public sealed class SourceUrlTests
{
    [Theory]
    [InlineData("https://origin.example/media/clip.mp4", "https://origin.example/media/clip.mp4")]
    [InlineData("http://origin.example:8080/a%20b/clip.mp4", "http://origin.example:8080/a%20b/clip.mp4")]
    [InlineData("https://bucket.s3.amazonaws.com/clip.mp4?X-Amz-Signature=SECRETSIG&X-Amz-Credential=AKIDX", "https://bucket.s3.amazonaws.com/clip.mp4?…")]
    [InlineData("https://origin.example:443/clip.mp4#frag", "https://origin.example/clip.mp4")]
    public void DisplaysSchemeHostPortAndPathOnly(string url, string shown)
    {
        var source = SourceUrl.Create(new Uri(url), null, "MediaUrl");
        Assert.Equal(shown, source.Display);
        Assert.Equal(shown, source.ToString());
        Assert.DoesNotContain("SECRETSIG", source.Display, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://origin.example/clip.mp4", "absolute http or https URL")]
    [InlineData("file:///etc/passwd", "absolute http or https URL")]
    [InlineData("https://user:pa55@origin.example/clip.mp4", "user name or password")]
    public void RefusesWhatItWillNotFetch(string url, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => SourceUrl.Create(new Uri(url), null, "MediaUrl"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("MediaUrl", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARelativeUrlIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => SourceUrl.Create(new Uri("clip.mp4", UriKind.Relative), null, "CoverUrl"));
        Assert.Contains("CoverUrl must be an absolute http or https URL", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Range", "bytes=0-10")]
    [InlineData("if-match", "\"x\"")]
    [InlineData("Accept-Encoding", "gzip")]
    [InlineData("Host", "evil.example")]
    public void RefusesHeadersThatWouldChangeWhichBytesComeBack(string name, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => SourceUrl.Create(new Uri("https://o.example/a.mp4"), new Dictionary<string, string> { [name] = value }, "MediaUrl"));
        Assert.Contains($"may not set {name}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bad Name", "v")]
    [InlineData("X-Token", "a\r\nInjected: yes")]
    [InlineData("", "v")]
    public void RefusesMalformedHeadersWithoutEchoingTheirValues(string name, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => SourceUrl.Create(new Uri("https://o.example/a.mp4"), new Dictionary<string, string> { [name] = value }, "MediaUrl"));
        Assert.DoesNotContain("Injected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeadersFollowOnlyToTheSameOrigin()
    {
        var source = SourceUrl.Create(new Uri("https://o.example/media/a.m3u8"), new Dictionary<string, string> { ["Authorization"] = "Bearer t" }, "MediaUrl");
        Assert.Single(source.Derive(new Uri("https://o.example/media/seg1.ts")).Headers);
        Assert.Empty(source.Derive(new Uri("https://cdn.example/media/seg1.ts")).Headers);
        Assert.Empty(source.Derive(new Uri("http://o.example/media/seg1.ts")).Headers); // another scheme is another origin
        Assert.Empty(source.Derive(new Uri("https://o.example:8443/media/seg1.ts")).Headers);
    }

    [Fact]
    public void TheFileNameIsTheLastPathSegmentUnescaped()
    {
        Assert.Equal("my clip.mp4", SourceUrl.Create(new Uri("https://o.example/x/my%20clip.mp4?sig=1"), null, "MediaUrl").FileName);
        Assert.Equal(string.Empty, SourceUrl.Create(new Uri("https://o.example/"), null, "MediaUrl").FileName);
    }

    [Theory]
    [InlineData("https://o.example/a.mp4", "https://o.example/a.mp4")]
    [InlineData("https://o.example/a.mp4?X-Amz-Signature=abc&X-Amz-Date=1&X-Amz-Credential=k", "https://o.example/a.mp4")]
    [InlineData("https://o.example/a.mp4?q-sign-algorithm=sha1&q-signature=x&sign=y&t=5", "https://o.example/a.mp4")]
    [InlineData("https://o.example/a.mp4?sv=2020&sig=abc&se=2030", "https://o.example/a.mp4")]
    public void ASignedUrlIsTheSameObjectHoweverItIsSigned(string url, string identity) =>
        Assert.Equal(identity, SourceUrl.IdentityOf(new Uri(url)));

    [Fact]
    public void QueriesThatNameAnotherObjectAreAnotherIdentityWithoutShowingThem()
    {
        var one = SourceUrl.IdentityOf(new Uri("https://o.example/download?id=1&X-Amz-Signature=a"));
        var two = SourceUrl.IdentityOf(new Uri("https://o.example/download?id=2&X-Amz-Signature=a"));
        Assert.NotEqual(one, two);
        Assert.StartsWith("https://o.example/download?sha256:", one, StringComparison.Ordinal);
        Assert.DoesNotContain("id=", one, StringComparison.Ordinal);
        Assert.Equal(one, SourceUrl.IdentityOf(new Uri("https://o.example/download?X-Amz-Signature=b&id=1"))); // order and signature do not matter
    }

    [Fact]
    public void AHeaderValueOutsideAsciiIsRefusedUpFront()
    {
        var e = Assert.Throws<ArgumentException>(() => SourceUrl.Create(new Uri("https://o.example/a.mp4"), new Dictionary<string, string> { ["X-Name"] = "café" }, "MediaUrl"));
        Assert.Contains("printable ASCII", e.Message, StringComparison.Ordinal);
    }
}
