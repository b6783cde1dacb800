using System.Buffers;
using VodRaw.Cos;
using VodRaw.Http;
using VodRaw.Transfer;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// The upload variants compared in one run, all against the same sink and page-cached file. Every in-process variant
/// uploads <see cref="MeasuredLength"/> bytes, reading the file around (offset modulo its length); curl uploads the
/// file once. One instance serves the warm-up and the measured run, so pools and buffers are created before the
/// measurement, as in a long-lived client.
/// </summary>
internal sealed class Variants(Uri sink, string file, long fileLength, string? tlsCertificatePem = null) : IDisposable
{
    private readonly HttpClient _naiveHttp = new(Trusting(new SocketsHttpHandler { UseProxy = false }, tlsCertificatePem)) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly HttpMessageInvoker _http = new(Trusting(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = int.MaxValue }, tlsCertificatePem), disposeHandler: true);
    private readonly HttpSender _sender = new(new HttpMessageInvoker(Trusting((SocketsHttpHandler)HttpSender.CreateDefaultHandler(TimeSpan.FromSeconds(10)), tlsCertificatePem), disposeHandler: true), new RetryOptions(), TimeProvider.System);

    // Reused across runs, as a long-lived client reuses its pool; the baseline's buffers are allocated once too.
    private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create(1 << 30, 64);
    private readonly Dictionary<long, byte[][]> _netBuffers = [];

    /// <summary>Bytes each in-process variant uploads.</summary>
    public long MeasuredLength { get; set; }

    public static readonly string[] Names = ["net", "file", "vodraw", "vodraw-md5", "naive", "curl"];

    /// <summary>The adaptive setting of the last VodRaw run with concurrency 0 (its steps are reported).</summary>
    public AdaptiveConcurrency? LastAdaptive { get; private set; }

    /// <summary>The memory budget of the last VodRaw run, if it had one (its peak is reported).</summary>
    public MemoryBudget? LastBudget { get; private set; }

    /// <summary>Bytes the variant uploads in one run.</summary>
    public long BytesFor(string name) => name == "curl" ? fileLength : MeasuredLength;

    public Task RunAsync(string name, long partSize, int concurrency) => name switch
    {
        "net" => NetAsync(partSize, concurrency),
        "file" => FileAsync(partSize, concurrency),
        "vodraw" => VodRawAsync(partSize, concurrency, md5: false),
        "vodraw-md5" => VodRawAsync(partSize, concurrency, md5: true),
        "vodraw-ckpt" => VodRawAsync(partSize, concurrency, md5: false, checkpoint: true),
        "naive" => NaiveUploader.UploadAsync(_naiveHttp, sink, file, fileLength, MeasuredLength, partSize, concurrency),
        "curl" => CurlAsync(),
        _ => throw new ArgumentException("unknown variant " + name),
    };

    /// <summary><c>curl -T</c>: one PUT of the whole file on one connection, an external single-stream reference.</summary>
    private async Task CurlAsync()
    {
        string[] trust = tlsCertificatePem is null ? [] : ["--cacert", tlsCertificatePem];
        var info = new System.Diagnostics.ProcessStartInfo("curl", [.. trust, "-sS", "--fail", "-o", "/dev/null", "-H", "Expect:", "-T", file, new Uri(sink, "bench/curl.bin").ToString()])
        {
            UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(info)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"curl exited with {process.ExitCode}");
        }
    }

    /// <summary>T_net: a bare HttpClient PUT loop from preallocated buffers (no file, no hashing): the transport ceiling.</summary>
    private async Task NetAsync(long partSize, int concurrency)
    {
        var count = (int)((MeasuredLength + partSize - 1) / partSize);
        var next = -1;
        if (!_netBuffers.TryGetValue(partSize, out var buffers) || buffers.Length < concurrency)
        {
            _netBuffers[partSize] = buffers = Enumerable.Range(0, concurrency).Select(_ => new byte[partSize]).ToArray();
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var buffer = buffers[worker];
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                var size = (int)Math.Min(partSize, MeasuredLength - (index * partSize));
                await PutAsync(index, new ReadOnlyMemoryContent(buffer.AsMemory(0, size)));
            }
        }));
    }

    /// <summary>T_file: pooled positional read + PUT, no checksum.</summary>
    private async Task FileAsync(long partSize, int concurrency)
    {
        using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        var count = (int)((MeasuredLength + partSize - 1) / partSize);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                var size = (int)Math.Min(partSize, MeasuredLength - (index * partSize));
                var buffer = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    var read = 0;
                    while (read < size)
                    {
                        read += await RandomAccess.ReadAsync(handle, buffer.AsMemory(read, size - read), ((index * partSize) + read) % fileLength);
                    }

                    await PutAsync(index, new ReadOnlyMemoryContent(buffer.AsMemory(0, size)));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }));
    }

    /// <summary>VodRaw's engine: plan, pooled buffers, CRC-64 per part, signing, initiate/parts/complete.</summary>
    private async Task VodRawAsync(long partSize, int concurrency, bool md5, bool checkpoint = false)
    {
        // With a checkpoint: the journal a resumable upload keeps, writing (fsync, rename) to a real directory.
        VodRaw.Checkpoints.CheckpointRecorder? recorder = null;
        var directory = checkpoint ? Directory.CreateTempSubdirectory("vodraw-bench-ckpt-").FullName : null;
        if (directory is not null)
        {
            var document = new VodRaw.Checkpoints.CheckpointDocument
            {
                Id = "0123456789abcdef0123456789abcdef",
                Region = "ap-guangzhou",
                Request = "{\"MediaType\":\"mp4\"}",
                PartSize = partSize,
                Files = [new VodRaw.Checkpoints.FileRecord { Role = "media", Path = file, Key = "bench/media.mp4", Fingerprint = new VodRaw.Checkpoints.FileFingerprint { Size = MeasuredLength } }],
            };
            recorder = new VodRaw.Checkpoints.CheckpointRecorder(new VodRaw.Checkpoints.CheckpointStore(directory), document, TimeProvider.System, concurrency * partSize);
            await recorder.WriteNowAsync();
        }

        var endpoint = CosEndpoint.Resolve(sink + "{bucket}", "bench-1250000000", "ap-guangzhou");
        var credential = new CosCredential("AKIDBENCH", "bench-secret", "bench-token", null);
        var requests = new CosRequestFactory(endpoint, credential, new CredentialExpiryGuard(null, TimeSpan.Zero, static () => null), TimeProvider.System);
        var target = new CosObjectTarget(_sender, requests, "bench-1250000000", "bench/media.mp4",
            new CosTargetOptions(TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(15), md5, Throttled: () => LastAdaptive?.Throttled()));
        // As an upload wires it: parts streamed from the file unless Content-MD5 is sent; concurrency 0 = adaptive.
        using var inFlight = PartsInFlight.Create(concurrency == 0 ? null : concurrency, partSize, streamedParts: !md5, null, (_, _) => _pool, TimeProvider.System);
        LastAdaptive = inFlight.Adaptive;
        LastBudget = inFlight.Budget;
        var uploader = new ObjectUploader(inFlight.Pool, new ProgressTracker(null, TimeProvider.System, TimeSpan.FromMilliseconds(250)), new UploadLedger(), TimeSpan.FromSeconds(15),
            streamParts: !md5, adaptive: inFlight.Adaptive);
        using var source = new WrappingPartSource(file, MeasuredLength);
        await uploader.UploadAsync(source, target, partSize, inFlight.Ceiling, CancellationToken.None, recorder?.For(0) ?? (VodRaw.Transfer.IObjectJournal)VodRaw.Checkpoints.NullJournal.Instance);
        if (recorder is not null)
        {
            await recorder.DeleteAsync();
            Directory.Delete(directory!, recursive: true);
        }
    }

    private async Task PutAsync(int index, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(sink, $"bench/raw?partNumber={index + 1}&uploadId=x")) { Content = content };
        using var response = await _http.SendAsync(request, CancellationToken.None);
        response.EnsureSuccessStatusCode();
    }

    private static SocketsHttpHandler Trusting(SocketsHttpHandler handler, string? pem)
    {
        BenchCertificate.Trust(handler, pem);
        return handler;
    }

    public void Dispose()
    {
        _http.Dispose();
        _naiveHttp.Dispose();
        _sender.Dispose();
    }
}
