using System.Globalization;
using System.Security;
using System.Text;
using System.Xml;

namespace VodRaw.Emulator.Cos;

/// <summary>The XML bodies the emulator reads and writes (COS shapes; DTDs refused).</summary>
internal static class CosXml
{
    /// <summary>The XML declaration every COS body starts with.</summary>
    public const string Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

    /// <summary>A body of this class without its leading declaration (for a reply that sent the declaration already).</summary>
    public static string WithoutDeclaration(string xml) =>
        xml.StartsWith(Declaration, StringComparison.Ordinal) ? xml[Declaration.Length..].TrimStart('\n') : xml;

    public static string Error(string code, string message, string resource, string requestId, string traceId) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
        + $"<Code>{Esc(code)}</Code><Message>{Esc(message)}</Message><Resource>{Esc(resource)}</Resource>"
        + $"<RequestId>{Esc(requestId)}</RequestId><TraceId>{Esc(traceId)}</TraceId></Error>";

    public static string Initiate(string bucket, string key, string uploadId) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult>"
        + $"<Bucket>{Esc(bucket)}</Bucket><Key>{Esc(key)}</Key><UploadId>{Esc(uploadId)}</UploadId></InitiateMultipartUploadResult>";

    public static string Complete(string location, string bucket, string key, string etag) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult>"
        + $"<Location>{Esc(location)}</Location><Bucket>{Esc(bucket)}</Bucket><Key>{Esc(key)}</Key><ETag>{Esc(etag)}</ETag></CompleteMultipartUploadResult>";

    public static string ListParts(MultipartUpload upload, IReadOnlyList<StoredPart> parts, int marker, int maxParts, bool truncated)
    {
        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListPartsResult>");
        sb.Append(CultureInfo.InvariantCulture, $"<Bucket>{Esc(upload.Bucket)}</Bucket><Encoding-type>url</Encoding-type><Key>{Esc(upload.Key)}</Key><UploadId>{Esc(upload.UploadId)}</UploadId>");
        sb.Append("<StorageClass>STANDARD</StorageClass>");
        sb.Append(CultureInfo.InvariantCulture, $"<PartNumberMarker>{marker}</PartNumberMarker>");
        sb.Append(CultureInfo.InvariantCulture, $"<NextPartNumberMarker>{(parts.Count > 0 ? parts[^1].PartNumber : marker)}</NextPartNumberMarker>");
        sb.Append(CultureInfo.InvariantCulture, $"<MaxParts>{maxParts}</MaxParts><IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>");
        foreach (var p in parts)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<Part><PartNumber>{p.PartNumber}</PartNumber><LastModified>{p.LastModified.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}</LastModified><ETag>{Esc(p.ETag)}</ETag><Size>{p.Size}</Size></Part>");
        }

        return sb.Append("</ListPartsResult>").ToString();
    }

    /// <summary>Reads a CompleteMultipartUpload body; null when it is not well-formed.</summary>
    public static List<(int PartNumber, string ETag)>? ReadCompleteRequest(byte[] body)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), settings);
            var document = System.Xml.Linq.XDocument.Load(reader);
            if (document.Root?.Name.LocalName != "CompleteMultipartUpload")
            {
                return null;
            }

            var parts = new List<(int, string)>();
            foreach (var part in document.Root.Elements("Part"))
            {
                var number = part.Element("PartNumber")?.Value;
                var etag = part.Element("ETag")?.Value;
                if (number is null || etag is null)
                {
                    return null;
                }

                parts.Add((int.Parse(number.Trim(), NumberStyles.None, CultureInfo.InvariantCulture), etag.Trim()));
            }

            return parts;
        }
        catch (Exception e) when (e is XmlException or FormatException or OverflowException)
        {
            return null;
        }
    }

    public static string ListMultipartUploads(string bucket, ListUploadsPage page)
    {
        // encoding-type=url: every key-like value is percent-encoded (RFC 3986 unreserved characters and '/' kept).
        string Value(string s) => Esc(page.UrlEncoded ? Uri.EscapeDataString(s).Replace("%2F", "/", StringComparison.Ordinal) : s);
        var sb = new StringBuilder();
        sb.Append(Declaration).Append("\n<ListMultipartUploadsResult><Bucket>").Append(Esc(bucket)).Append("</Bucket>");
        if (page.UrlEncoded)
        {
            sb.Append("<EncodingType>url</EncodingType>");
        }

        sb.Append("<KeyMarker>").Append(Value(page.KeyMarker)).Append("</KeyMarker><UploadIdMarker>").Append(Esc(page.UploadIdMarker)).Append("</UploadIdMarker>");
        if (page.Truncated && page.Last is { } last)
        {
            sb.Append("<NextKeyMarker>").Append(Value(last.Key)).Append("</NextKeyMarker><NextUploadIdMarker>").Append(Esc(last.UploadId)).Append("</NextUploadIdMarker>");
        }

        if (page.Delimiter.Length > 0)
        {
            sb.Append("<Delimiter>").Append(Value(page.Delimiter)).Append("</Delimiter>");
        }

        sb.Append("<Prefix>").Append(Value(page.Prefix)).Append("</Prefix><MaxUploads>").Append(page.MaxUploads.ToString(CultureInfo.InvariantCulture))
            .Append("</MaxUploads><IsTruncated>").Append(page.Truncated ? "true" : "false").Append("</IsTruncated>");
        foreach (var u in page.Uploads)
        {
            sb.Append("<Upload><Key>").Append(Value(u.Key)).Append("</Key><UploadId>").Append(Esc(u.UploadId)).Append("</UploadId><StorageClass>STANDARD</StorageClass><Initiated>")
                .Append(u.Initiated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)).Append("</Initiated></Upload>");
        }

        foreach (var common in page.CommonPrefixes)
        {
            sb.Append("<CommonPrefixes><Prefix>").Append(Value(common)).Append("</Prefix></CommonPrefixes>");
        }

        return sb.Append("</ListMultipartUploadsResult>").ToString();
    }

    private static string Esc(string s) => SecurityElement.Escape(s);
}
