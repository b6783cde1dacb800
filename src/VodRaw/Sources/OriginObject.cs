namespace VodRaw.Sources;

/// <summary>
/// What a URL source's origin said of its object on the first GET: where it is after redirects, its length (null
/// when it streams without one), whether it serves byte ranges, and its validators. The validators are the source's
/// identity: every later GET must find the same object (checkpoints record them as the fingerprint).
/// </summary>
internal sealed record OriginObject(SourceUrl Url, SourceUrl Location, long? Length, bool Ranges, string? ETag, DateTimeOffset? LastModified)
{
    /// <summary>The ETag when it is strong (a weak one cannot be sent in If-Match).</summary>
    public string? StrongETag => ETag is { } e && !e.StartsWith("W/", StringComparison.Ordinal) ? e : null;

    /// <summary>Whether parts can be fetched in parallel, by range: the origin served a range and told the length.</summary>
    public bool Positional => Ranges && Length is not null;
}
