using System.Text;
using VodRaw.Cos;

namespace VodRaw.Tests.Cos;

public sealed class CosXmlTests
{
    [Fact]
    public void ReadsEveryUploadOfAListingAndItsMarkers()
    {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListMultipartUploadsResult><Bucket>b-125</Bucket><Prefix>d/f0.mp4</Prefix><IsTruncated>true</IsTruncated>
            <NextKeyMarker>d/f0.mp4</NextKeyMarker><NextUploadIdMarker>id2</NextUploadIdMarker>
            <Upload><Key>d/f0.mp4</Key><UploadId>id1</UploadId><Initiated>2026-12-01T00:00:00.000Z</Initiated></Upload>
            <Upload><UploadId>id2</UploadId><Key>d/f0.mp4x</Key></Upload>
            </ListMultipartUploadsResult>
            """;
        var listing = CosXml.ReadUploads(Encoding.UTF8.GetBytes(xml));
        Assert.NotNull(listing);
        Assert.Equal([("d/f0.mp4", "id1"), ("d/f0.mp4x", "id2")], listing.Value.Uploads);
        Assert.True(listing.Value.Truncated);
        Assert.Equal("d/f0.mp4", listing.Value.NextKeyMarker);
        Assert.Equal("id2", listing.Value.NextUploadIdMarker);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<Error><Code>AccessDenied</Code></Error>")]
    [InlineData("<ListMultipartUploadsResult><Upload><Key>a</Key>")]
    public void AnythingElseIsNotAListing(string body) => Assert.Null(CosXml.ReadUploads(Encoding.UTF8.GetBytes(body)));
}
