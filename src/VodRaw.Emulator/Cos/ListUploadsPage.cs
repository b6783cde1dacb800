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
}
