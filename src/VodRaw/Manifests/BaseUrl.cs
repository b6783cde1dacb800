namespace VodRaw.Manifests;

/// <summary>
/// DASH BaseURL resolution, reduced to what a local package needs: a relative reference replaces the last segment of
/// its base (RFC 3986 §5.2.3 merge), so <c>video/</c> + <c>720p/</c> is <c>video/720p/</c> and <c>video/a.mp4</c> +
/// <c>b.m4s</c> is <c>video/b.m4s</c>. A reference with a scheme or a leading slash is kept whole; the path rule
/// refuses it later. Of several BaseURLs at one level (CDN alternatives) the first is used.
/// </summary>
internal static class BaseUrl
{
    public static string Resolve(string parent, MpdElement element) =>
        element.Child("BaseURL") is { } b ? Combine(parent, b.Text.Trim()) : parent;

    public static string Combine(string parent, string reference)
    {
        if (reference.Length == 0)
        {
            return parent;
        }

        if (ManifestReference.HasScheme(reference) || reference[0] is '/' or '\\')
        {
            return reference;
        }

        return parent[..(parent.LastIndexOf('/') + 1)] + reference;
    }
}
