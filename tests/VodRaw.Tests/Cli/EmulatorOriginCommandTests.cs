using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using VodRaw.Cli;

namespace VodRaw.Tests.Cli;

/// <summary><c>vodraw emulator --origin DIR</c>: DIR's files over HTTP, announced beside the other endpoints, confined to DIR.</summary>
public sealed class EmulatorOriginCommandTests : IDisposable
{
    private const string Secret = "TOP-SECRET-BESIDE-THE-ORIGIN";
    private readonly DirectoryInfo _top = Directory.CreateTempSubdirectory("vodraw-cli-origin-");
    private readonly string _root;

    public EmulatorOriginCommandTests()
    {
        _root = Directory.CreateDirectory(Path.Combine(_top.FullName, "media")).FullName;
        File.WriteAllText(Path.Combine(_root, "clip.mp4"), "0123456789");
        File.WriteAllText(Path.Combine(_top.FullName, "secret.txt"), Secret);
    }

    public void Dispose() => _top.Delete(recursive: true);

    [Fact]
    public async Task PrintsTheOriginEndpointInJsonAndServesTheDirectorysFilesOnly()
    {
        var (banner, stop, run) = await StartAsync("emulator", "--origin", _root, "--json");
        try
        {
            var json = JsonDocument.Parse(banner.Split('\n')[0]).RootElement;
            var origin = new Uri(json.GetProperty("originEndpoint").GetString()!);
            Assert.Equal("127.0.0.1", origin.Host);
            Assert.NotEqual(new Uri(json.GetProperty("vodEndpoint").GetString()!).Port, origin.Port);

            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(origin, "clip.mp4")) { Headers = { Range = new(2, 4) } };
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal("234", await response.Content.ReadAsStringAsync());

            string outside = Uri.EscapeDataString(Path.Combine(_top.FullName, "secret.txt").TrimStart('/'));
            foreach (var target in new[] { "/../secret.txt", "/%2e%2e/secret.txt", "//" + outside.Replace("%2F", "/", StringComparison.Ordinal), "/" + outside, "/..%5Csecret.txt", "/..\\secret.txt", "/%00/../secret.txt" })
            {
                var (status, body) = await RawGetAsync(origin, target);
                Assert.True(status is 400 or 404, $"{target} answered {status}");
                Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
            }
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(ExitCodes.Ok, await run);
        }
    }

    [Fact]
    public async Task PrintsTheOriginLineBesideTheOtherEndpoints()
    {
        var (banner, stop, run) = await StartAsync("emulator", "--origin", _root);
        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await run);
        var line = banner.Split('\n').Single(l => l.TrimStart().StartsWith("Origin:", StringComparison.Ordinal));
        Assert.Matches(@"^  Origin:        http://127\.0\.0\.1:\d+/  \(serves .+media read-only\)\r?$", line);
        Assert.DoesNotContain("Origin:", (await StartAndStopAsync("emulator")).Banner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusesAnOriginDirectoryThatDoesNotExist()
    {
        var error = new StringWriter();
        var environment = new CliEnvironment(new StringWriter(), error, _ => null, Interactive: false);
        var code = await VodRawCli.RunAsync(["emulator", "--origin", Path.Combine(_root, "absent")], environment);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("no such directory", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<(string Banner, CancellationTokenSource Stop, Task<int> Run)> StartAsync(params string[] args)
    {
        var output = new FlushSignallingWriter();
        var environment = new CliEnvironment(output, new StringWriter(), _ => null, Interactive: false);
        var stop = new CancellationTokenSource();
        var run = VodRawCli.RunAsync(args, environment, stop.Token);
        var first = await Task.WhenAny(output.Flushed, run);
        Assert.Same(output.Flushed, first); // the command printed its banner rather than ending
        return (output.ToString(), stop, run);
    }

    private static async Task<(string Banner, int Code)> StartAndStopAsync(params string[] args)
    {
        var (banner, stop, run) = await StartAsync(args);
        await stop.CancelAsync();
        return (banner, await run);
    }

    private static async Task<(int Status, string Body)> RawGetAsync(Uri origin, string target)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync(origin.Host, origin.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes($"GET {target} HTTP/1.1\r\nHost: {origin.Authority}\r\nConnection: close\r\n\r\n"), timeout.Token);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var text = Encoding.Latin1.GetString(received.ToArray());
        return (int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), text);
    }

    /// <summary>Standard output that says when the command flushed it (after its banner), so that no test polls.</summary>
    private sealed class FlushSignallingWriter : StringWriter
    {
        private readonly TaskCompletionSource _flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Flushed => _flushed.Task;

        public override void Flush()
        {
            base.Flush();
            _flushed.TrySetResult();
        }
    }
}
