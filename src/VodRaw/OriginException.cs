namespace VodRaw;

/// <summary>
/// The origin a URL source is read from failed: it refused the request (HTTP 4xx), stayed unavailable through every
/// attempt (5xx, 429, connection failures, inactivity), sent other bytes than asked for, or redirected where VodRaw
/// does not follow. Nothing was committed. <see cref="VodRawException.Status"/> is the origin's HTTP status when it
/// answered; <see cref="VodRawException.IsTransient"/> says whether trying later may help. An origin whose object
/// changed during the upload is a <see cref="FileChangedException"/> instead.
/// </summary>
public sealed class OriginException : VodRawException
{
    /// <summary>Creates an exception.</summary>
    /// <param name="url">The URL as shown: scheme, host, port and path (never its query or headers).</param>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The transport failure, if any.</param>
    public OriginException(string url, string message, Exception? innerException = null)
        : base(VodRawErrorCodes.OriginFailed, message, innerException)
    {
        Url = url;
    }

    private OriginException(OriginException other, string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads)
        : base(other, checkpointId, openUploads)
    {
        Url = other.Url;
        Host = other.Host;
        Range = other.Range;
    }

    private protected override VodRawException Copy(string? checkpointId, IReadOnlyList<OpenMultipartUpload> openUploads) => new OriginException(this, checkpointId, openUploads);

    /// <summary>The URL as shown: scheme, host, port and path, with <c>?…</c> for a query (never its text or the headers).</summary>
    public string Url { get; }

    /// <summary>The host (and port) the failing request went to: after a redirect, where it led.</summary>
    public string? Host { get; init; }

    /// <summary>The byte range asked for (<c>bytes=a-b</c>), or null for a whole-object request.</summary>
    public string? Range { get; init; }
}
