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

    /// <summary>
    /// Which object the URL names, for checkpoints and batch journals: <see cref="Display"/> without its "?…", then,
    /// when the query has parameters other than a presigned URL's signing ones, "?sha256:" and 16 hex digits of their
    /// hash — so <c>download?id=1</c> and <c>download?id=2</c> are two objects, a re-signed URL is still the same one,
    /// and no query text is ever shown.
    /// </summary>
    public string Identity => IdentityOf(Uri);

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
    /// Checks a URL and headers completely: absolute http or https, a host, no user information (a fragment is never
    /// sent); header names are tokens and values one line of printable ASCII. <paramref name="property"/> names the request property in the <see cref="ArgumentException"/>.
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

            if (value.Any(c => c is > '~' or (< ' ' and not '\t')))
            {
                throw new ArgumentException($"SourceHeaders' value of {name} has a character outside printable ASCII; HTTP header values must be ASCII (percent- or base64-encode it).", "request");
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

    /// <summary>Query parameters that sign a URL (S3, COS, OSS, GCS, Azure SAS, CDN URL authentication): not part of its identity.</summary>
    private static readonly string[] SigningPrefixes = ["x-amz-", "x-oss-", "x-cos-", "x-goog-", "q-"];

    private static readonly HashSet<string> SigningNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "signature", "expires", "awsaccesskeyid", "ossaccesskeyid", "accesskeyid", "security-token", "sign", "t", "us", "token",
        "sv", "ss", "srt", "sp", "se", "st", "spr", "sig", "sr", "skoid", "sktid", "skt", "ske", "sks", "skv", "sdd",
    };

    /// <summary>See <see cref="Identity"/>.</summary>
    public static string IdentityOf(Uri uri)
    {
        var shown = DisplayOf(uri);
        var path = shown.EndsWith("?…", StringComparison.Ordinal) ? shown[..^2] : shown;
        var kept = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p =>
            {
                var name = Uri.UnescapeDataString(p.Split('=', 2)[0]);
                return !SigningNames.Contains(name) && !SigningPrefixes.Any(x => name.StartsWith(x, StringComparison.OrdinalIgnoreCase));
            })
            .Order(StringComparer.Ordinal)
            .ToList();
        if (kept.Count == 0)
        {
            return path;
        }

        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('&', kept)));
        return path + "?sha256:" + VodRaw.Hex.ToLowerString(hash.AsSpan(0, 8));
    }

    /// <summary>How a URL is shown (<see cref="Display"/>), for callers that hold only the URL.</summary>
    public static string DisplayOf(Uri uri)
    {
        var port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        return uri.Scheme + "://" + uri.IdnHost + port + uri.AbsolutePath + (string.IsNullOrEmpty(uri.Query) ? string.Empty : "?…");
    }

    private static bool IsTokenChar(char c) => c is > ' ' and < (char)127 && "()<>@,;:\\\"/[]?={}".IndexOf(c) < 0;
}
