using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using VodRaw.Samples.UploadService;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Samples;

/// <summary>samples/UploadService, started in-process on a free port and pointed at the emulator by configuration only.</summary>
public sealed class UploadServiceTests : IAsyncLifetime
{
    private UploadHarness _h = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync();
        _app = UploadServiceApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Telemetry:Console=false",
            "--Logging:LogLevel:Default=Warning",
            $"--VodRaw:VodEndpoint={_h.Emulator.VodEndpoint}",
            $"--VodRaw:CosEndpointTemplate={_h.Emulator.CosEndpointTemplate}",
            $"--VodRaw:SecretId={_h.Emulator.Credential.SecretId}",
            $"--VodRaw:SecretKey={_h.Emulator.Credential.SecretKey}",
            "--VodRaw:Transfer:PartSize=1MiB",
        ]);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _h.DisposeAsync();
    }

    [Fact]
    public async Task AVideoPostedInChunksIsStreamedToVodAndItsFileIdReturned()
    {
        var (path, content) = _h.File("posted.mp4", 3 * 1024 * 1024 + 77);
        await using var body = File.OpenRead(path);
        using var stream = new StreamContent(new NonSeekable(body)); // no Content-Length: sent chunked, as a proxy would

        using var reply = await _http.PostAsync("/videos?type=mp4&name=posted", stream);

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var json = await reply.Content.ReadFromJsonAsync<JsonElement>();
        var fileId = json.GetProperty("fileId").GetString();
        var media = Assert.Single(_h.Emulator.CommittedMedia, m => m.FileId == fileId);
        Assert.Contains("\"MediaName\":\"posted\"", media.ApplyUploadBody, StringComparison.Ordinal);
        Assert.Contains(_h.Emulator.Requests, r => r.PartNumber == 4); // multipart: read from the body as it came
        var stored = _h.Emulator.Objects.Single(o => media.MediaUrl.EndsWith(o.Key, StringComparison.Ordinal));
        Assert.Equal(content, stored.ReadAllBytes());
    }

    [Fact]
    public async Task APostWithoutATypeIsRefusedBeforeAnythingIsSent()
    {
        using var reply = await _http.PostAsync("/videos", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Contains("?type=mp4", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_h.Emulator.Requests);
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
