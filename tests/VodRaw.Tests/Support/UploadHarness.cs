using System.Collections.Concurrent;
using VodRaw.Emulator;

namespace VodRaw.Tests.Support;

/// <summary>An emulator on loopback and a client pointed at it, with a counting buffer pool and a request recorder.</summary>
internal sealed class UploadHarness : IAsyncDisposable
{
    private readonly List<string> _tempFiles = [];

    private UploadHarness(VodEmulator emulator, RecordingHandler recorder)
    {
        Emulator = emulator;
        Recorder = recorder;
    }

    public VodEmulator Emulator { get; }

    public RecordingHandler Recorder { get; }

    public CountingArrayPool Pool { get; } = new();

    public string TempDirectory { get; } = Directory.CreateTempSubdirectory("vodraw-test-").FullName;

    public static async Task<UploadHarness> StartAsync(VodEmulatorOptions? emulatorOptions = null)
    {
        var emulator = await VodEmulator.StartAsync(emulatorOptions);
        return new UploadHarness(emulator, new RecordingHandler());
    }

    public VodUploadClientOptions Options(Action<VodUploadClientOptions>? configure = null)
    {
        var options = new VodUploadClientOptions
        {
            VodEndpoint = Emulator.VodEndpoint,
            CosEndpointTemplate = Emulator.CosEndpoint + "{bucket}",
            HttpHandler = Recorder,
            Retry = new RetryOptions { MaxAttempts = 4, InitialDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
            Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize, Concurrency = 4 },
        };
        configure?.Invoke(options);
        return options;
    }

    public VodUploadClient Client(Action<VodUploadClientOptions>? configure = null, VodCredential? credential = null)
    {
        var client = new VodUploadClient(credential ?? new VodCredential(Emulator.Credential.SecretId, Emulator.Credential.SecretKey), Options(configure));
        client.BufferPoolFactory = (_, _) => Pool;
        return client;
    }

    /// <summary>Writes a file of pseudo-random bytes (seeded), returning its path and content.</summary>
    public (string Path, byte[] Content) File(string name, int length, int seed = 1)
    {
        var content = new byte[length];
        new Random(seed).NextBytes(content);
        var path = Path.Combine(TempDirectory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, content);
        return (path, content);
    }

    /// <summary>A sparse file of zeros: large on paper, nothing on disk.</summary>
    public string SparseFile(string name, long length)
    {
        var path = Path.Combine(TempDirectory, name);
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            stream.SetLength(length);
        }

        return path;
    }

    public EmulatorObject MediaObject(VodUploadResponse response) =>
        Emulator.Objects.Single(o => response.MediaUrl.EndsWith(VodRaw.Signing.CosEncoding.EncodeObjectPath(o.Key), StringComparison.Ordinal) && !o.Key.Contains("/cover.", StringComparison.Ordinal) && response.MediaUrl.Contains(o.Bucket, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        Recorder.Dispose();
        try
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Forwards to a real socket handler and records what was sent (header values included) for assertions.</summary>
internal sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) // as the default handler: VodRaw follows redirects itself
{
    public ConcurrentQueue<(string Method, string Uri, string? Action, string Body, string Headers)> Requests { get; } = new();

    public bool RecordBodies { get; set; } = true;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var action = request.Headers.TryGetValues("X-TC-Action", out var a) ? a.Single() : null;
        var body = action is not null && request.Content is not null ? await request.Content.ReadAsStringAsync(cancellationToken) : string.Empty;
        var headers = string.Join('\n', request.Headers.Select(h => h.Key + ": " + string.Join(',', h.Value)));
        Requests.Enqueue((request.Method.Method, request.RequestUri!.ToString(), action, body, headers));
        return await base.SendAsync(request, cancellationToken);
    }
}
