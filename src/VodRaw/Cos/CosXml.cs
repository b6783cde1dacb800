using System.Globalization;
using System.Security;
using System.Text;
using System.Xml;

namespace VodRaw.Cos;

/// <summary>The few XML documents COS uploads exchange. Reading prohibits DTDs and resolves nothing.</summary>
internal static class CosXml
{
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = 16 << 20,
    };

    /// <summary>
    /// The root element's name and the text of its direct children named in <paramref name="wanted"/> (first
    /// occurrence). Null when the body is not well-formed XML (or is empty).
    /// </summary>
    public static (string Root, Dictionary<string, string> Values)? Read(ReadOnlySpan<byte> body, params ReadOnlySpan<string> wanted)
    {
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length == 0)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = wanted.ToArray();
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), ReaderSettings);
            reader.MoveToContent();
            var root = reader.LocalName;
            if (reader.IsEmptyElement)
            {
                return (root, values);
            }

            reader.Read();
            while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == 0))
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1 && Array.IndexOf(names, reader.LocalName) >= 0 && !values.ContainsKey(reader.LocalName))
                {
                    var name = reader.LocalName;
                    values[name] = reader.ReadElementContentAsString();
                    continue;
                }

                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1)
                {
                    reader.Skip();
                    continue;
                }

                reader.Read();
            }

            return (root, values);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>
    /// The uploads of a ListMultipartUploadsResult (key and upload id of each <c>Upload</c>) and whether the listing
    /// is truncated, with the markers for the next page. Null when the body is not that document.
    /// </summary>
    public static (List<(string Key, string UploadId)> Uploads, bool Truncated, string? NextKeyMarker, string? NextUploadIdMarker)? ReadUploads(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length == 0)
        {
            return null;
        }

        var uploads = new List<(string, string)>();
        var truncated = false;
        string? nextKey = null;
        string? nextId = null;
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), ReaderSettings);
            reader.MoveToContent();
            if (reader.LocalName != "ListMultipartUploadsResult")
            {
                return null;
            }

            string? key = null;
            string? id = null;
            reader.Read();
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1)
                {
                    switch (reader.LocalName)
                    {
                        case "IsTruncated":
                            truncated = reader.ReadElementContentAsString().Trim() == "true";
                            continue;
                        case "NextKeyMarker":
                            nextKey = reader.ReadElementContentAsString();
                            continue;
                        case "NextUploadIdMarker":
                            nextId = reader.ReadElementContentAsString();
                            continue;
                        case "Upload":
                            key = null;
                            id = null;
                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.Depth == 2 && reader.LocalName is "Key" or "UploadId")
                {
                    var name = reader.LocalName;
                    var value = reader.ReadElementContentAsString();
                    if (name == "Key")
                    {
                        key = value;
                    }
                    else
                    {
                        id = value;
                    }

                    if (key is not null && id is not null)
                    {
                        uploads.Add((key, id));
                        key = null;
                        id = null;
                    }

                    continue;
                }

                reader.Read();
            }

            return (uploads, truncated, nextKey, nextId);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>
    /// The parts of a ListPartsResult (number, ETag, size of each <c>Part</c>), whether it is truncated and the marker
    /// for the next page. Null when the body is not that document or a part is malformed.
    /// </summary>
    public static (List<(int PartNumber, string ETag, long Size)> Parts, bool Truncated, int? NextMarker)? ReadParts(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length == 0)
        {
            return null;
        }

        var parts = new List<(int, string, long)>();
        var truncated = false;
        int? next = null;
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), ReaderSettings);
            reader.MoveToContent();
            if (reader.LocalName != "ListPartsResult")
            {
                return null;
            }

            int? number = null;
            string? etag = null;
            long? size = null;
            reader.Read();
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1)
                {
                    switch (reader.LocalName)
                    {
                        case "IsTruncated":
                            truncated = reader.ReadElementContentAsString().Trim() == "true";
                            continue;
                        case "NextPartNumberMarker":
                            next = int.TryParse(reader.ReadElementContentAsString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : null;
                            continue;
                        case "Part":
                            if (number is not null || etag is not null || size is not null)
                            {
                                return null;
                            }

                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.Depth == 2 && reader.LocalName is "PartNumber" or "ETag" or "Size")
                {
                    var name = reader.LocalName;
                    var value = reader.ReadElementContentAsString().Trim();
                    switch (name)
                    {
                        case "PartNumber":
                            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                            {
                                return null;
                            }

                            number = n;
                            break;
                        case "ETag":
                            etag = value;
                            break;
                        default:
                            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var z))
                            {
                                return null;
                            }

                            size = z;
                            break;
                    }

                    if (number is { } pn && etag is { } e && size is { } sz)
                    {
                        parts.Add((pn, e, sz));
                        number = null;
                        etag = null;
                        size = null;
                    }

                    continue;
                }

                reader.Read();
            }

            return (parts, truncated, next);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>
    /// The CompleteMultipartUpload request body: every part, ascending, with its quoted ETag. Written as UTF-8 straight
    /// into one array of the exact size (a 10,000-part body is about 700 KB; building it as a string first would
    /// hold it three times over, on the large-object heap, at the end of the upload).
    /// </summary>
    public static byte[] CompleteRequest(IReadOnlyList<Transfer.CompletedPart> parts)
    {
        const string Head = "<CompleteMultipartUpload>", Tail = "</CompleteMultipartUpload>";
        const string PartHead = "<Part><PartNumber>", Between = "</PartNumber><ETag>", PartTail = "</ETag></Part>";
        var etags = new string[parts.Count];
        var length = Head.Length + Tail.Length;
        for (var i = 0; i < parts.Count; i++)
        {
            etags[i] = SecurityElement.Escape(parts[i].ETag);
            length += PartHead.Length + Digits(parts[i].PartNumber) + Between.Length + Encoding.UTF8.GetByteCount(etags[i]) + PartTail.Length;
        }

        var body = new byte[length];
        var at = Put(body, 0, Head);
        for (var i = 0; i < parts.Count; i++)
        {
            at = Put(body, at, PartHead);
            parts[i].PartNumber.TryFormat(body.AsSpan(at), out var written, provider: CultureInfo.InvariantCulture);
            at = Put(body, at + written, Between);
            at = Put(body, at, etags[i]);
            at = Put(body, at, PartTail);
        }

        at = Put(body, at, Tail);
        return at == length ? body : throw new InvalidOperationException("The CompleteMultipartUpload body's length was miscounted.");

        static int Put(byte[] body, int at, string text) => at + Encoding.UTF8.GetBytes(text, body.AsSpan(at));

        static int Digits(int n) => n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n.ToString(CultureInfo.InvariantCulture).Length;
    }
}
