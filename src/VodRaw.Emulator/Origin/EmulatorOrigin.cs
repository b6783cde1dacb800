using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace VodRaw.Emulator.Origin;

/// <summary>
/// An HTTP(S) server on 127.0.0.1 that media is fetched from, for tests and benchmarks of uploads from a URL: objects
/// put in memory or served from files, with validators, single byte ranges, conditional requests, redirects, switches
/// for the habits some servers lack (<see cref="EmulatorOriginOptions"/>) and faults declared by tests
/// (<see cref="Faults"/>); every request is logged (<see cref="Requests"/>).
/// </summary>
/// <remarks>
/// <para>
/// GET or HEAD of a known path: 200 with Content-Length, Content-Type, a strong ETag, Last-Modified and
/// <c>Accept-Ranges: bytes</c>. One range (<c>bytes=a-b</c>, <c>bytes=a-</c>, <c>bytes=-n</c>) on a GET: 206 with
/// <c>Content-Range: bytes a-b/total</c>; a range starting at or past the end, or <c>bytes=-0</c>: 416 with
/// <c>Content-Range: bytes */total</c>; several ranges, another unit or a malformed range: 200 with the whole object,
/// as many servers do. HEAD ignores Range (RFC 9110 defines ranges for GET only).
/// </para>
/// <para>
/// <c>If-Match</c> that matches no current ETag (strong comparison), or an <c>If-Unmodified-Since</c> earlier than
/// Last-Modified: 412. <c>If-Range</c> naming another version: 200 whole. <c>If-None-Match</c> and
/// <c>If-Modified-Since</c> are ignored. An unknown path: 404. Any method but GET and HEAD: 405. HTTP/1.1 only.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// await using var origin = await EmulatorOrigin.StartAsync();
/// origin.Put("media/clip.mp4", bytes);
/// var drop = origin.Faults.DropMidBody("media/clip.mp4", afterBytes: 65536, method: "GET");
/// // upload from origin.UrlOf("media/clip.mp4"), then assert drop.Fired == 1 and look at origin.Requests
/// </code>
/// </example>
public sealed class EmulatorOrigin : IAsyncDisposable
{
    private static readonly int[] RedirectStatuses = [301, 302, 303, 307, 308];

    private readonly ConcurrentQueue<OriginRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly OriginStore _store;
    private WebApplication? _app;

    private EmulatorOrigin(EmulatorOriginOptions options)
    {
        _store = new OriginStore(options.RootDirectory is { } root ? new OriginDirectory(root) : null, TimeProvider.System);
        Certificate = options.Https ? OriginCertificate.Create() : null;
    }

    /// <summary>Where the origin listens, with a trailing slash: <c>http://127.0.0.1:PORT/</c> (or https).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>With <see cref="EmulatorOriginOptions.Https"/>: the self-signed certificate it presents (trust it by its thumbprint); otherwise null.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The faults to inject; add rules at any time.</summary>
    public OriginFaultPlan Faults { get; } = new();

    /// <summary>Every request received so far, in order of arrival, each completed as it is answered.</summary>
    public IReadOnlyList<OriginRequest> Requests => [.. _requests];

    /// <summary>Starts an origin on 127.0.0.1 (options checked here, then fixed).</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="DirectoryNotFoundException"><see cref="EmulatorOriginOptions.RootDirectory"/> does not exist.</exception>
    public static async Task<EmulatorOrigin> StartAsync(EmulatorOriginOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOriginOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort, nameof(options));
        if (options.RequiredAuthorization is { } authorization
            && (string.IsNullOrWhiteSpace(authorization) || authorization.Any(c => char.IsControl(c) || c > '\x7e')))
        {
            throw new ArgumentException("RequiredAuthorization must be a non-blank header value of visible ASCII characters.", nameof(options));
        }

        var origin = new EmulatorOrigin(options);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        ListenOptions? listen = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Limits.MinResponseDataRate = null; // a stalled or slow reader is what the tests want to see
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, options.Port, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                if (origin.Certificate is { } certificate)
                {
                    l.UseHttps(certificate);
                }

                listen = l;
            });
        });
        var app = builder.Build();
        var handler = new OriginHandler(options, origin._store, origin.Faults, origin._requests.Enqueue, origin._stopping.Token);
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false); // a port in use fails here
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await origin.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        origin._app = app;
        var scheme = options.Https ? "https" : "http";
        origin.BaseAddress = new Uri($"{scheme}://127.0.0.1:{listen!.IPEndPoint!.Port.ToString(CultureInfo.InvariantCulture)}/");
        return origin;
    }

    /// <summary>The URL of an object path: <see cref="BaseAddress"/> plus the path, each segment percent-encoded.</summary>
    /// <param name="path">An object path such as <c>media/clip.mp4</c> (a leading slash is allowed).</param>
    /// <exception cref="ArgumentException">The path has an empty, <c>.</c> or <c>..</c> segment, a backslash or a control character.</exception>
    public Uri UrlOf(string path) => new(BaseAddress.AbsoluteUri + OriginPath.Escape(OriginPath.Normalize(path, nameof(path))));

    /// <summary>
    /// Serves <paramref name="content"/> (copied) at <paramref name="path"/>, replacing what was there: a new strong
    /// ETag, and Last-Modified now in whole seconds — at least a second after the replaced object's.
    /// </summary>
    /// <param name="path">The object path.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="contentType">Content-Type; null guesses it from the extension (application/octet-stream when unknown).</param>
    public void Put(string path, byte[] content, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        _store.Put(OriginPath.Normalize(path, nameof(path)), content, contentType);
    }

    /// <summary>
    /// Serves a file at <paramref name="path"/>, read from disk on each request (Kestrel's send-file path, no copy in
    /// memory: for benchmarks of any size). Its ETag comes from its size and modification time, and Last-Modified from
    /// the latter, both read per request: a file changed on disk is a changed object.
    /// </summary>
    /// <param name="path">The object path.</param>
    /// <param name="filePath">The file (it must exist now; if it vanishes later, requests get 404).</param>
    /// <param name="contentType">Content-Type; null guesses it from the path's extension.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public void PutFile(string path, string filePath, string? contentType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        _store.PutFile(OriginPath.Normalize(path, nameof(path)), filePath, contentType);
    }

    /// <summary>Stops serving the object and the redirect at <paramref name="path"/> (a root directory's file stays); nothing if none.</summary>
    /// <param name="path">The object path.</param>
    public void Remove(string path) => _store.Remove(OriginPath.Normalize(path, nameof(path)));

    /// <summary>
    /// Answers GET and HEAD of <paramref name="fromPath"/> with <paramref name="status"/> and <c>Location: to</c>, before
    /// any object there. <paramref name="to"/> may be relative, on another origin, or of another scheme (<c>ftp://</c>),
    /// to test how a client follows redirects.
    /// </summary>
    /// <param name="fromPath">The object path redirected.</param>
    /// <param name="to">The Location sent (an absolute URI as <see cref="Uri.AbsoluteUri"/>, a relative one as given).</param>
    /// <param name="status">301, 302, 303, 307 or 308. Default 302.</param>
    public void AddRedirect(string fromPath, Uri to, int status = 302)
    {
        ArgumentNullException.ThrowIfNull(to);
        if (!RedirectStatuses.Contains(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A redirect status is 301, 302, 303, 307 or 308.");
        }

        _store.AddRedirect(OriginPath.Normalize(fromPath, nameof(fromPath)), new OriginRedirect(status, to.IsAbsoluteUri ? to.AbsoluteUri : to.OriginalString));
    }

    /// <summary>Stops listening (requests still stalled or delayed are cut after a short grace) and disposes the certificate.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }

        Certificate?.Dispose();
        _stopping.Dispose();
    }
}
