using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace VodRaw.Emulator.Vod;

/// <summary>
/// How the emulator fetches a PullUpload's media: over HTTP to loopback only (127.0.0.0/8, ::1, <c>localhost</c>). A
/// URL naming any other host is refused before a byte is sent, each redirect is checked the same way before it is
/// followed, and every connection checks the address it connects to, so the emulator never reaches the network.
/// </summary>
internal sealed class LoopbackFetcher : IDisposable
{
    private const int MaxRedirects = 5;

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false, // a proxy would be a non-loopback hop
        AllowAutoRedirect = false, // followed by hand, each target checked first
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = ConnectToLoopbackAsync,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Why the emulator will not fetch <paramref name="url"/>, or null when it is an http(s) URL on loopback.</summary>
    public static string? RefusalOf(Uri url)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            return $"{url.Scheme} URLs are not pulled; give an http or https URL.";
        }

        return IsLoopbackHost(url.Host) ? null
            : $"The emulator only pulls from loopback (127.0.0.0/8, ::1, localhost), never from the network; {url.Host} is not loopback.";
    }

    /// <summary>
    /// GETs <paramref name="url"/>, following up to five redirects that stay on loopback. Returns the successful response
    /// (the caller reads and disposes it); throws <see cref="PullSourceException"/> with what went wrong otherwise.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        for (var hop = 0; ; hop++)
        {
            if (RefusalOf(url) is { } refusal)
            {
                throw new PullSourceException(refusal);
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new PullSourceException($"The origin {url.Authority} could not be reached: {e.Message.TrimEnd('.')}.");
            }

            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (hop == MaxRedirects)
                {
                    throw new PullSourceException($"The origin redirected more than {MaxRedirects} times.");
                }

                url = location.IsAbsoluteUri ? location : new Uri(url, location);
                continue;
            }

            if (status is < 200 or >= 300)
            {
                var reason = response.ReasonPhrase;
                response.Dispose();
                throw new PullSourceException($"The origin answered HTTP {status.ToString(CultureInfo.InvariantCulture)}{(string.IsNullOrEmpty(reason) ? string.Empty : " " + reason)} for {url}.");
            }

            return response;
        }
    }

    public void Dispose() => _http.Dispose();

    private static bool IsLoopbackHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IsLoopback(address);
    }

    private static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>The last guard: whatever a name resolved to, only a loopback address is connected to.</summary>
    private static async ValueTask<Stream> ConnectToLoopbackAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        if (!IsLoopbackHost(host))
        {
            throw new HttpRequestException($"{host} is not loopback; the emulator connects to loopback only.");
        }

        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var loopback = addresses.Where(IsLoopback).ToArray();
        if (loopback.Length == 0)
        {
            throw new HttpRequestException($"{host} resolved to no loopback address; the emulator connects to loopback only.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(loopback, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The origin of a pull could not be read: what went wrong, as the pull task's message.</summary>
internal sealed class PullSourceException(string message) : Exception(message);
