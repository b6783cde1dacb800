using System.Globalization;

namespace VodRaw.Sources;

/// <summary>
/// An http(s) URL media is read from, with the request headers a private origin needs. <see cref="Display"/> is what
/// messages, progress, traces and checkpoints name: scheme, host, port and path only — never user information, the
/// query (a presigned URL's signature lives there) or the headers.
/// </summary>
internal sealed class SourceUrl
{
    private SourceUrl(Uri uri, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Uri = uri;
        Headers = headers;
        Display = DisplayOf(uri);
    }

    /// <summary>The URL as given (query kept: it is sent, never shown).</summary>
    public Uri Uri { get; }

    /// <summary>Headers sent to this URL's origin (dropped when a redirect leads to another origin).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>scheme://host[:port]/path, with "?…" when the URL has a query.</summary>
    public string Display { get; }

    /// <summary>The last path segment, unescaped ("clip.mp4").</summary>
    public string FileName
    {
        get
        {
            var path = Uri.AbsolutePath;
            return Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        }
    }

    /// <summary>Headers a caller may not set: VodRaw sets them itself, or they would change what bytes come back.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Accept-Encoding",
        "Content-Length", "Transfer-Encoding", "Connection", "Expect", "TE", "Upgrade",
    };

    /// <summary>
    /// Checks a URL and headers completely: absolute http or https, a host, no fragment; header names are tokens and
    /// values one line. <paramref name="property"/> names the request property in the <see cref="ArgumentException"/>.
    /// </summary>
    public static SourceUrl Create(Uri url, IReadOnlyDictionary<string, string>? headers, string property)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{property} must be an absolute http or https URL, not '{(url.IsAbsoluteUri ? url.Scheme + ":…" : url.OriginalString)}'.", "request");
        }

        if (string.IsNullOrEmpty(url.Host))
        {
            throw new ArgumentException($"{property} has no host.", "request");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw new ArgumentException($"{property} carries a user name or password in the URL; pass credentials as a header (SourceHeaders, e.g. Authorization) so they are never shown.", "request");
        }

        var list = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(name) || !name.All(IsTokenChar))
            {
                throw new ArgumentException($"SourceHeaders has an invalid header name '{name}'.", "request");
            }

            if (Reserved.Contains(name))
            {
                throw new ArgumentException($"SourceHeaders may not set {name}: VodRaw sets it to read the origin's bytes exactly.", "request");
            }

            if (value is null || value.Any(c => c is '\r' or '\n' or '\0'))
            {
                throw new ArgumentException($"SourceHeaders' value of {name} is missing or spans lines.", "request");
            }

            list.Add(new(name, value));
        }

        return new SourceUrl(url, list);
    }

    /// <summary>A URL found in a manifest or a redirect: same headers as its parent while on the same origin, none elsewhere.</summary>
    public SourceUrl Derive(Uri uri) => new(uri, SameOrigin(Uri, uri) ? Headers : []);

    /// <summary>Whether two URLs share scheme, host and port (what browsers call an origin).</summary>
    public static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    public override string ToString() => Display;

    /// <summary>How a URL is shown (<see cref="Display"/>), for callers that hold only the URL.</summary>
    public static string DisplayOf(Uri uri)
    {
        var port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        return uri.Scheme + "://" + uri.IdnHost + port + uri.AbsolutePath + (string.IsNullOrEmpty(uri.Query) ? string.Empty : "?…");
    }

    private static bool IsTokenChar(char c) => c is > ' ' and < (char)127 && "()<>@,;:\\\"/[]?={}".IndexOf(c) < 0;
}
