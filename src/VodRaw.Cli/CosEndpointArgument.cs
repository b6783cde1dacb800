using System.Net;

namespace VodRaw.Cli;

/// <summary>
/// <c>--cos-endpoint</c> as users of S3 tools expect: a template with <c>{bucket}</c> is used as given; a plain URL
/// means path style (<c>http://127.0.0.1:9000/{bucket}</c>) when its host is an IP address or <c>localhost</c>, and
/// virtual-host style (<c>https://{bucket}.example.com</c>) otherwise.
/// </summary>
internal static class CosEndpointArgument
{
    public static string? ToTemplate(string value)
    {
        if (value.Contains("{bucket}", StringComparison.Ordinal))
        {
            return value;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Query.Length > 0)
        {
            return null;
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        if (uri.IsLoopback || IPAddress.TryParse(uri.Host, out _))
        {
            return $"{uri.Scheme}://{uri.Authority}{path}/{{bucket}}";
        }

        return $"{uri.Scheme}://{{bucket}}.{uri.Authority}{path}";
    }
}
