using System.Text.RegularExpressions;
using VodRaw.Signing;

namespace VodRaw.Cos;

/// <summary>
/// Where one bucket is reached. Virtual-host style puts the bucket in the host; path style (the emulator, private
/// deployments) puts it in the path. Either way the signed path is <c>/{key}</c>, and request URIs are built by hand
/// with canonicalisation off so the encoded key reaches the wire unchanged.
/// </summary>
internal sealed partial class CosEndpoint
{
    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private CosEndpoint(string scheme, string authority, string pathPrefix)
    {
        Scheme = scheme;
        Host = authority;
        PathPrefix = pathPrefix;
    }

    public string Scheme { get; }

    /// <summary>The Host header (and signed host): authority with a non-default port.</summary>
    public string Host { get; }

    /// <summary>Path before the key ("" for virtual-host style, "/{bucket}" for path style).</summary>
    public string PathPrefix { get; }

    public static void ValidateTemplate(string? template, string paramName)
    {
        if (string.IsNullOrWhiteSpace(template) || !template.Contains("{bucket}", StringComparison.Ordinal))
        {
            throw new ArgumentException("The COS endpoint template must contain {bucket}.", paramName);
        }

        var sample = template.Replace("{bucket}", "bucket-1250000000", StringComparison.Ordinal).Replace("{region}", "ap-guangzhou", StringComparison.Ordinal);
        if (!Uri.TryCreate(sample, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0)
        {
            throw new ArgumentException("The COS endpoint template must be an absolute http or https URL without a query.", paramName);
        }
    }

    /// <summary>Fills the template for a bucket and region that ApplyUpload returned (checked: they become part of a URL).</summary>
    public static CosEndpoint Resolve(string template, string bucket, string region)
    {
        if (!BucketPattern().IsMatch(bucket) || !RegionPattern().IsMatch(region))
        {
            throw new VodApiException("ApplyUpload", "InvalidResponse", "ApplyUpload returned a storage bucket or region that is not a valid name.");
        }

        var uri = new Uri(template.Replace("{bucket}", bucket, StringComparison.Ordinal).Replace("{region}", region, StringComparison.Ordinal));
        return new CosEndpoint(uri.Scheme, uri.Authority, uri.AbsolutePath.TrimEnd('/'));
    }

    /// <summary>The request URI for an object key with an already-encoded query string.</summary>
    public Uri ObjectUri(string key, string query) =>
        new($"{Scheme}://{Host}{PathPrefix}{CosEncoding.EncodeObjectPath(key)}{(query.Length > 0 ? "?" + query : string.Empty)}", Verbatim);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex BucketPattern();

    [GeneratedRegex("^[a-z0-9-]{1,40}$")]
    private static partial Regex RegionPattern();
}
