namespace VodRaw.Emulator.Origin;

/// <summary>
/// How an <see cref="EmulatorOrigin"/> answers. Every property has a working default (plain HTTP, ranges, validators and
/// lengths sent, HEAD allowed, no authorization); each switch turns one server habit off, so that a client can be tested
/// against the origins that lack it. Checked once by <see cref="EmulatorOrigin.StartAsync"/>.
/// </summary>
public sealed class EmulatorOriginOptions
{
    /// <summary>
    /// Serve HTTPS with a throwaway self-signed certificate (for 127.0.0.1 and localhost), exposed as
    /// <see cref="EmulatorOrigin.Certificate"/> so that a client can trust exactly it. Default false (plain HTTP).
    /// </summary>
    public bool Https { get; init; }

    /// <summary>
    /// Honour <c>Range: bytes=…</c> on GET and announce <c>Accept-Ranges: bytes</c>. False: every GET is answered 200 with
    /// the whole object and no <c>Accept-Ranges</c>. Default true.
    /// </summary>
    public bool SupportRanges { get; init; } = true;

    /// <summary>Send a strong <c>ETag</c>. False: none is sent, and only <c>If-Match: *</c> can pass. Default true.</summary>
    public bool SendETag { get; init; } = true;

    /// <summary>
    /// Send <c>Last-Modified</c>. False: none is sent, and <c>If-Unmodified-Since</c> is ignored (the origin has no date
    /// to compare it with). Default true.
    /// </summary>
    public bool SendLastModified { get; init; } = true;

    /// <summary>
    /// Send <c>Content-Length</c>. False: GET bodies go chunked and neither GET nor HEAD carries a length. Default true.
    /// </summary>
    public bool SendContentLength { get; init; } = true;

    /// <summary>Answer HEAD. False: HEAD is answered 405 with <c>Allow: GET</c>. Default true.</summary>
    public bool AllowHead { get; init; } = true;

    /// <summary>
    /// When set, a request whose <c>Authorization</c> header is not exactly this value (one field, compared ordinally) is
    /// answered 401 with <c>WWW-Authenticate</c> naming this value's scheme. Default null (no authorization asked).
    /// </summary>
    public string? RequiredAuthorization { get; init; }

    /// <summary>
    /// A directory whose files are served, read-only, at their relative paths (after the objects given to
    /// <see cref="EmulatorOrigin.Put"/> and <see cref="EmulatorOrigin.PutFile"/>). Requests never leave it: dot segments,
    /// encoded ones, absolute paths, backslashes, control characters, colons and symbolic links below it are refused
    /// (404). Default null: only the objects put are served. <c>vodraw emulator --origin DIR</c> sets it.
    /// </summary>
    public string? RootDirectory { get; init; }

    /// <summary>The port on 127.0.0.1. Default 0: any free port (see <see cref="EmulatorOrigin.BaseAddress"/>).</summary>
    public int Port { get; init; }
}
