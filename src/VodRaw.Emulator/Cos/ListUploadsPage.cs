namespace VodRaw.Emulator.Cos;

/// <summary>One page of a ListMultipartUploads answer: the request's parameters, and what the page holds.</summary>
internal sealed class ListUploadsPage(string prefix, string delimiter, string keyMarker, string uploadIdMarker, int maxUploads, bool urlEncoded)
{
    public string Prefix { get; } = prefix;

    public string Delimiter { get; } = delimiter;

    public string KeyMarker { get; } = keyMarker;

    public string UploadIdMarker { get; } = uploadIdMarker;

    public int MaxUploads { get; } = maxUploads;

    /// <summary>encoding-type=url was asked for.</summary>
    public bool UrlEncoded { get; } = urlEncoded;

    public List<MultipartUpload> Uploads { get; } = [];

    public List<string> CommonPrefixes { get; } = [];

    /// <summary>The last upload listed or rolled up: the next page's markers.</summary>
    public (string Key, string UploadId)? Last { get; set; }

    public bool Truncated { get; set; }

    public int Count => Uploads.Count + CommonPrefixes.Count;

    /// <summary>
    /// Adds the next upload in key order, or the CommonPrefixes entry its key rolls up into (the prefix up to and
    /// including the delimiter; an entry counts against max-uploads like an upload). False, truncated, when full.
    /// </summary>
    public bool TryAdd(MultipartUpload upload)
    {
        var cut = Delimiter.Length == 0 ? -1 : upload.Key.IndexOf(Delimiter, Prefix.Length, StringComparison.Ordinal);
        var common = cut < 0 ? null : upload.Key[..(cut + Delimiter.Length)];
        if (common is not null && CommonPrefixes.Count > 0 && CommonPrefixes[^1] == common)
        {
            return true; // rolled into the entry just added
        }

        if (Count == MaxUploads)
        {
            Truncated = true;
            return false;
        }

        if (common is null)
        {
            Uploads.Add(upload);
        }
        else
        {
            CommonPrefixes.Add(common);
        }

        Last = (upload.Key, upload.UploadId);
        return true;
    }
}
