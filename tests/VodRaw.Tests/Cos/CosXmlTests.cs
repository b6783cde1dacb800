using System.Text;
using VodRaw.Cos;
using VodRaw.Transfer;

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

    [Fact]
    public void TheCompleteBodyListsEveryPartWithItsEscapedETagInUtf8()
    {
        CompletedPart[] parts =
        [
            new(1, "\"0a1b\"", 8, 0), new(9, "\"e\"", 8, 0), new(10, "x<&>\u00e9", 8, 0), new(999, "\"9\"", 8, 0), new(10000, "\"last\"", 8, 0),
        ];
        var expected = "<CompleteMultipartUpload>"
            + "<Part><PartNumber>1</PartNumber><ETag>&quot;0a1b&quot;</ETag></Part>"
            + "<Part><PartNumber>9</PartNumber><ETag>&quot;e&quot;</ETag></Part>"
            + "<Part><PartNumber>10</PartNumber><ETag>x&lt;&amp;&gt;\u00e9</ETag></Part>"
            + "<Part><PartNumber>999</PartNumber><ETag>&quot;9&quot;</ETag></Part>"
            + "<Part><PartNumber>10000</PartNumber><ETag>&quot;last&quot;</ETag></Part>"
            + "</CompleteMultipartUpload>";
        Assert.Equal(Encoding.UTF8.GetBytes(expected), CosXml.CompleteRequest(parts));
        Assert.Equal("<CompleteMultipartUpload></CompleteMultipartUpload>", Encoding.UTF8.GetString(CosXml.CompleteRequest([])));
    }
}
