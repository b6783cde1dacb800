using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace VodRaw.Tests.Support;

/// <summary>
/// A tiny origin on 127.0.0.1 port 0 for pull tests: serves the bytes given for a path (404 for any other), can hold a
/// response back until the test releases it, can redirect, and counts the requests for each path.
/// </summary>
internal sealed class LoopbackOrigin : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private WebApplication _app = null!;

    public Uri BaseUri { get; private set; } = null!;

    public static async Task<LoopbackOrigin> StartAsync()
    {
        var origin = new LoopbackOrigin();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        ListenOptions? listen = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => listen = l));
        origin._app = builder.Build();
        origin._app.Run(origin.ServeAsync);
        await origin._app.StartAsync();
        origin.BaseUri = new Uri($"http://127.0.0.1:{listen!.IPEndPoint!.Port}/");
        return origin;
    }

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/>, after <paramref name="holdUntil"/> completes when given.</summary>
    public Uri Serve(string path, byte[] content, Task? holdUntil = null)
    {
        _routes[path] = new Route(content, holdUntil, null);
        return new Uri(BaseUri, path);
    }

    /// <summary>Answers <paramref name="path"/> with a 302 to <paramref name="location"/>.</summary>
    public Uri Redirect(string path, string location)
    {
        _routes[path] = new Route(null, null, location);
        return new Uri(BaseUri, path);
    }

    /// <summary>How many requests arrived for <paramref name="path"/>.</summary>
    public int Requests(string path) => _requests.GetValueOrDefault(path);

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (!_routes.TryGetValue(path, out var route))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (route.Location is { } location)
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = location;
            return;
        }

        if (route.HoldUntil is { } hold)
        {
            try
            {
                await hold.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.ContentLength = route.Content!.Length;
        context.Response.ContentType = "application/octet-stream";
        await context.Response.Body.WriteAsync(route.Content, context.RequestAborted);
    }

    private sealed record Route(byte[]? Content, Task? HoldUntil, string? Location);
}
