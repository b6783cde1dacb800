using System.Diagnostics.Tracing;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using VodRaw.Samples.UploadService;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Samples;

[CollectionDefinition(nameof(ReadmeSnippetCollection), DisableParallelization = true)]
public sealed class ReadmeSnippetCollection;

/// <summary>
/// README's dependency-injection snippet, run as written: Kestrel on a free port, the emulator behind it. Alone, so the
/// process's managed heap is this test's.
/// </summary>
[Collection(nameof(ReadmeSnippetCollection))]
public sealed partial class ReadmeSnippetTests
{
    private const long HundredMiB = 100L << 20;

    [Fact]
    public void TheReadmeQuotesTheSnippetTheTestsRun()
    {
        var code = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "samples", "UploadService", "ReadmeSnippet.cs")).ReplaceLineEndings("\n");
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")).ReplaceLineEndings("\n");
        var lines = Region().Match(code).Groups["body"].Value.Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        var snippet = string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
        Assert.Contains("MaxRequestBodySize = null", snippet, StringComparison.Ordinal);
        Assert.Contains("### Dependency injection", readme, StringComparison.Ordinal);
        Assert.Contains("```csharp\n" + snippet + "\n```", readme[readme.IndexOf("### Dependency injection", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A100MiBBodyIsStreamedToVodWithTheServersHeapStayingSmall()
    {
        await using var h = await UploadHarness.StartAsync(new VodRaw.Emulator.VodEmulatorOptions { StoreContent = false });
        var builder = WebApplication.CreateBuilder(
        [
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--VodRaw:VodEndpoint={h.Emulator.VodEndpoint}",
            $"--VodRaw:CosEndpointTemplate={h.Emulator.CosEndpointTemplate}",
            $"--VodRaw:SecretId={h.Emulator.Credential.SecretId}",
            $"--VodRaw:SecretKey={h.Emulator.Credential.SecretKey}",
            "--VodRaw:Transfer:PartSize=1MiB", // the process-wide part pool then keeps a few MiB, far from the 100 MiB body
        ]);
        await using var app = ReadmeSnippet.Build(builder);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        using var started = new VodRawEventMessages("UploadStarted");
        GC.Collect();
        var baseline = GC.GetGCMemoryInfo().HeapSizeBytes; // what the process held before (other tests' caches, pools)
        using var reply = await http.PostAsync("/videos", new GeneratedContent(HundredMiB)); // Content-Length: 104857600

        Assert.True(reply.StatusCode == HttpStatusCode.OK, $"{(int)reply.StatusCode}: {await reply.Content.ReadAsStringAsync()}");
        var fileId = (await reply.Content.ReadAsStringAsync()).Trim('"');
        Assert.Contains(h.Emulator.CommittedMedia, m => m.FileId == fileId);
        Assert.Equal(HundredMiB, h.Emulator.Objects.Where(o => o.Key.EndsWith(".mp4", StringComparison.Ordinal)).Sum(o => o.Length));
        Assert.Contains("upload of (stream) to ap-guangzhou: 1 files, unknown size", started.Messages); // read as a stream, not a buffer
        await app.StopAsync();
        GC.Collect();
        // Nothing of the body stays behind (the start line above is what shows it was never buffered: a buffered body
        // has a known size there; samples of a live heap proved unreliable inside the full suite).
        Assert.InRange(GC.GetGCMemoryInfo().HeapSizeBytes - baseline, long.MinValue, 64L << 20);
    }

    [Fact]
    public async Task AFailureNoRequestReportedIsLoggedAsSuchWithItsExceptionNotAnEmptyOperation()
    {
        await using var h = await UploadHarness.StartAsync();
        using var client = h.Client();
        using var events = new VodRawEventMessages("UploadFailedOutsideRequest");

        await Assert.ThrowsAsync<IOException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaStream = new BrokenStream(), MediaType = "mp4" }));

        Assert.Contains("upload failed, not in a request to VOD or COS (error): IOException: the source broke", events.Messages);
    }

    [GeneratedRegex(@"// <example:dependency-injection>\n(?<body>.*?)\n\s*// </example:dependency-injection>", RegexOptions.Singleline)]
    private static partial Regex Region();

    /// <summary>A body of the given length made as it is sent, 64 KiB at a time: never held whole.</summary>
    private sealed class GeneratedContent(long length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            for (long sent = 0; sent < length; sent += chunk.Length)
            {
                chunk.AsSpan().Fill((byte)(sent / chunk.Length));
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - sent)));
            }
        }

        protected override bool TryComputeLength(out long length1)
        {
            length1 = length;
            return true;
        }
    }

    /// <summary>A request body that fails on the first read.</summary>
    private sealed class BrokenStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("the source broke");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new IOException("the source broke");

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>The messages of one VodRaw event, formatted as a log shows them (the DI package's bridge does the same).</summary>
    private sealed class VodRawEventMessages(string eventName) : EventListener
    {
        public List<string> Messages { get; } = [];

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "VodRaw")
            {
                EnableEvents(eventSource, EventLevel.Informational);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName == eventName && e.Message is { } message && e.Payload is { } payload)
            {
                lock (Messages)
                {
                    Messages.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, [.. payload]));
                }
            }
        }
    }
}
