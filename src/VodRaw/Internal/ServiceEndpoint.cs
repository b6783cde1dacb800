using System.Globalization;
using System.Net;
using System.Text;

namespace VodRaw;

/// <summary>
/// One spelling per service endpoint, for identities that must not depend on how a URL was typed (a batch journal's
/// id, a checkpoint's): the scheme, the host in lower case, the port always written, the path with runs of
/// <c>/</c> made one and no trailing <c>/</c> (the root is <c>/</c>), then the query as given. Every loopback spelling
/// (<c>localhost</c>, <c>127.x.y.z</c>, <c>[::1]</c>, <c>[::ffff:127.x.y.z]</c>) is <c>127.0.0.1</c>: they all reach
/// this machine. The user information and the fragment are left out (neither is sent to the service).
/// </summary>
internal static class ServiceEndpoint
{
    /// <summary>The host every loopback spelling becomes.</summary>
    public const string LoopbackHost = "127.0.0.1";

    /// <summary>The endpoint's one spelling, e.g. <c>http://127.0.0.1:9000/</c> for <c>http://LOCALHOST:9000//</c>.</summary>
    /// <exception cref="ArgumentException">The URI is not absolute.</exception>
    public static string Normalize(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException("A service endpoint must be an absolute URI.", nameof(endpoint));
        }

        var text = new StringBuilder(endpoint.Scheme.ToLowerInvariant()).Append("://").Append(Host(endpoint));
        if (endpoint.Port >= 0)
        {
            text.Append(':').Append(endpoint.Port.ToString(CultureInfo.InvariantCulture));
        }

        // AbsolutePath starts with / (escaped as sent); a run of slashes is one, and the last one goes unless it is all.
        var pathStart = text.Length;
        foreach (var c in endpoint.AbsolutePath)
        {
            if (c != '/' || text.Length == pathStart || text[^1] != '/')
            {
                text.Append(c);
            }
        }

        if (text.Length == pathStart)
        {
            text.Append('/');
        }
        else if (text.Length > pathStart + 1 && text[^1] == '/')
        {
            text.Length--;
        }

        return text.Append(endpoint.Query).ToString();
    }

    private static string Host(Uri endpoint)
    {
        // DnsSafeHost: an IPv6 address without its brackets; IdnHost: a DNS name in ASCII (punycode), lower case.
        if (IPAddress.TryParse(endpoint.DnsSafeHost, out var address))
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            if (IPAddress.IsLoopback(address))
            {
                return LoopbackHost;
            }

            return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
        }

        var host = endpoint.IdnHost.ToLowerInvariant();
        if (host.EndsWith('.'))
        {
            host = host[..^1]; // the fully qualified spelling of the same name
        }

        return host == "localhost" ? LoopbackHost : host;
    }
}
