namespace VodRaw.Tests.Sources;

/// <summary>A request with a URL source is checked completely before any request, like one with a file.</summary>
public sealed class UrlRequestValidationTests
{
    private static ArgumentException Refused(VodUploadRequest request) =>
        Assert.Throws<ArgumentException>(() => UploadRequestValidator.Validate("ap-guangzhou", request, new TransferOptions()));

    [Fact]
    public void TakesTypeAndNameFromTheUrlsLastSegment()
    {
        var upload = UploadRequestValidator.Validate("ap-guangzhou", new VodUploadRequest
        {
            MediaUrl = new Uri("https://o.example/lib/Holiday.MP4?sig=abc"),
            CoverUrl = new Uri("https://o.example/lib/Holiday.jpg"),
        }, new TransferOptions());
        Assert.Equal("MP4", upload.ApplyBody.MediaType);
        Assert.Equal("Holiday", upload.ApplyBody.MediaName);
        Assert.Equal("jpg", upload.ApplyBody.CoverType);
        Assert.Equal("https://o.example/lib/Holiday.MP4?…", upload.MediaDisplay);
    }

    [Fact]
    public void ACallersTypeAndNameWin()
    {
        var upload = UploadRequestValidator.Validate("ap-guangzhou", new VodUploadRequest
        {
            MediaUrl = new Uri("https://o.example/stream"),
            MediaType = "mp4",
            MediaName = "Mine",
        }, new TransferOptions());
        Assert.Equal("mp4", upload.ApplyBody.MediaType);
        Assert.Equal("Mine", upload.ApplyBody.MediaName);
    }

    [Fact]
    public void AUrlWithoutAnExtensionNeedsAMediaType() =>
        Assert.Contains("('stream') has no extension", Refused(new VodUploadRequest { MediaUrl = new Uri("https://o.example/stream") }).Message, StringComparison.Ordinal);

    [Fact]
    public void OneMediaSourceOnly()
    {
        Assert.Contains("not several", Refused(new VodUploadRequest { MediaUrl = new Uri("https://o.example/a.mp4"), MediaStream = new MemoryStream(), MediaType = "mp4" }).Message, StringComparison.Ordinal);
        Assert.Contains("not several", Refused(new VodUploadRequest { MediaUrl = new Uri("https://o.example/a.mp4"), CoverUrl = new Uri("https://o.example/a.jpg"), CoverFilePath = "/tmp/x.jpg" }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeadersWithoutAUrlAreAMistake() =>
        Assert.Contains("SourceHeaders is set but neither MediaUrl nor CoverUrl is",
            Refused(new VodUploadRequest { MediaStream = new MemoryStream(), MediaType = "mp4", SourceHeaders = new Dictionary<string, string> { ["Authorization"] = "x" } }).Message, StringComparison.Ordinal);

    [Fact]
    public void ACoverUrlWithoutExtensionNeedsACoverType() =>
        Assert.Contains("cover URL's last path segment", Refused(new VodUploadRequest { MediaUrl = new Uri("https://o.example/a.mp4"), CoverUrl = new Uri("https://o.example/cover") }).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    public void TheOriginsAttemptBudgetIsChecked(int attempts) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VodUploadClientOptions { OriginMaxAttempts = attempts }.Validate());

    [Theory]
    [InlineData(-1)]
    [InlineData(21)]
    public void TheRedirectBudgetIsChecked(int redirects) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VodUploadClientOptions { OriginMaxRedirects = redirects }.Validate());
}
