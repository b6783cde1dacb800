using System.Text.Json;
using VodRaw.Emulator;
using VodRaw.Hashing;
using VodRaw.Tests.Support;
using VodRaw.Transfer;

namespace VodRaw.Tests.EndToEnd;

public sealed class UploadTests : IAsyncLifetime
{
    private UploadHarness _h = null!;

    public async Task InitializeAsync() => _h = await UploadHarness.StartAsync(new VodEmulatorOptions { SubAppIds = [101, 1500000001], PathModeSubAppIds = [101] });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task UploadsASmallFileWithOnePutAndCommits()
    {
        var (path, content) = _h.File("Wildlife.mp4", 300_000);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });

        Assert.False(string.IsNullOrEmpty(response.FileId));
        Assert.False(string.IsNullOrEmpty(response.RequestId));
        Assert.Null(response.CoverUrl);
        var stored = _h.MediaObject(response);
        Assert.Equal(content, stored.ReadAllBytes());
        Assert.Equal(0, stored.PartCount);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.InitiateMultipartUpload);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task UploadsACoverAndReturnsItsUrl()
    {
        var (media, _) = _h.File("Wildlife.mp4", 5000);
        var (cover, coverBytes) = _h.File("Wildlife-Cover.png", 700, seed: 9);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverFilePath = cover });

        Assert.NotNull(response.CoverUrl);
        var coverObject = _h.Emulator.Objects.Single(o => o.Key.EndsWith(".png", StringComparison.Ordinal));
        Assert.Equal(coverBytes, coverObject.ReadAllBytes());
        Assert.EndsWith(VodRaw.Signing.CosEncoding.EncodeObjectPath(coverObject.Key), response.CoverUrl, StringComparison.Ordinal);
        Assert.Contains("\"CoverType\":\"png\"", ApplyBody(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendsEveryApplyUploadFieldInTheReferenceOrderAndNeverOverwritesCallerValues()
    {
        var (path, _) = _h.File("Wildlife.MP4", 1000);
        var (cover, _) = _h.File("c.JPG", 10);
        using var client = _h.Client();
        await client.UploadAsync("ap-guangzhou", new VodUploadRequest
        {
            MediaFilePath = path,
            MediaType = "mp4",
            MediaName = "My Title 测试",
            CoverFilePath = cover,
            Procedure = "QCVB_SimpleProcessFile(1, 1)",
            ExpireTime = "2099-01-01T00:00:00Z",
            ClassId = 7,
            SourceContext = "src",
            SessionContext = "sess",
            SubAppId = 101,
            StorageRegion = "ap-chongqing",
            ExtInfo = "ext",
            MediaStoragePath = "/shows/ep 01.mp4",
        });

        Assert.Equal(
            "{\"MediaType\":\"mp4\",\"SubAppId\":101,\"MediaName\":\"My Title \\u6D4B\\u8BD5\",\"CoverType\":\"JPG\",\"Procedure\":\"QCVB_SimpleProcessFile(1, 1)\","
            + "\"ExpireTime\":\"2099-01-01T00:00:00Z\",\"StorageRegion\":\"ap-chongqing\",\"ClassId\":7,\"SourceContext\":\"src\",\"SessionContext\":\"sess\",\"ExtInfo\":\"ext\","
            + "\"MediaStoragePath\":\"/shows/ep 01.mp4\"}",
            ApplyBody());
        var commit = JsonDocument.Parse(_h.Recorder.Requests.Single(r => r.Action == "CommitUpload").Body).RootElement;
        Assert.Equal(101, commit.GetProperty("SubAppId").GetInt64());
        Assert.All(_h.Emulator.Objects, o => Assert.Equal(_h.Emulator.BucketFor(101), o.Bucket));
        Assert.Equal(["shows/ep 01.mp4", "shows/ep 01.mp4.cover.JPG"], _h.Emulator.Objects.Select(o => o.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DerivesTypeAndNameLikeTheReference()
    {
        var (path, _) = _h.File("Holiday.Trip.MP4", 10);
        using var client = _h.Client();
        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });
        Assert.Equal("{\"MediaType\":\"MP4\",\"MediaName\":\"Holiday.Trip\"}", ApplyBody());
    }

    [Fact]
    public async Task WorksWithACallersTemporaryCredential()
    {
        var (path, content) = _h.File("t.mp4", 2000);
        var sts = _h.Emulator.TemporaryCredential;
        using var client = _h.Client(credential: new VodCredential(sts.SecretId, sts.SecretKey, sts.Token));
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });
        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        Assert.Contains("X-TC-Token: " + sts.Token, _h.Recorder.Requests.First(r => r.Action == "ApplyUpload").Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadsAnEmptyFile()
    {
        var (path, _) = _h.File("empty.mp4", 0);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });
        var stored = _h.MediaObject(response);
        Assert.Equal(0, stored.Length);
        Assert.Equal(0UL, stored.Crc64);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 0)]
    [InlineData(1, 2)]
    [InlineData(5 * 1024 * 1024 + 3, 6)]
    public async Task CutsFilesAroundThePartSizeCorrectly(int deltaFromOnePart, int expectedParts)
    {
        var length = deltaFromOnePart > 1000 ? deltaFromOnePart : (int)TransferOptions.MinPartSize + deltaFromOnePart;
        var (path, content) = _h.File("edge.mp4", length, seed: length);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });
        var stored = _h.MediaObject(response);
        Assert.Equal(expectedParts, stored.PartCount);
        Assert.Equal(content, stored.ReadAllBytes());
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(16)]
    public async Task UploadsInParallelWithinTheConcurrencyBound(int concurrency)
    {
        var (path, content) = _h.File("par.mp4", (int)(7.5 * 1024 * 1024), seed: concurrency);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path, ConcurrentUploadNumber = concurrency });
        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        Assert.InRange(_h.Pool.PeakOutstanding, 1, concurrency);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task AFileIsReadWhileItIsSentSoItsPartsHoldOneChunkEachNotAWholePart()
    {
        // One 5 MiB PUT and a 3-part multipart of 8 MiB parts: held, they would rent 5 and 3 x 8 MiB.
        var (small, smallContent) = _h.File("one-put.mp4", 5 * 1024 * 1024, seed: 51);
        var (big, bigContent) = _h.File("parts.mp4", (20 * 1024 * 1024) + 7, seed: 52);
        using var client = _h.Client(o => o.Transfer = new TransferOptions { PartSize = 8 * 1024 * 1024, Concurrency = 3 });

        var put = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = small });
        var multipart = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = big });

        Assert.Equal(smallContent, _h.MediaObject(put).ReadAllBytes());
        Assert.Equal(bigContent, _h.MediaObject(multipart).ReadAllBytes());
        Assert.Equal(3, _h.MediaObject(multipart).PartCount);
        Assert.InRange(_h.Pool.PeakOutstandingBytes, PartContent.ChunkSize, 3 * PartContent.ChunkSize); // at most one chunk per part in flight
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task UploadsFromANonSeekableStreamOfUnknownLength()
    {
        var content = new byte[(3 * 1024 * 1024) + 17];
        new Random(4).NextBytes(content);
        using var stream = new NonSeekableStream(content);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaStream = stream, MediaType = "mp4", MediaName = "piped" });
        var stored = _h.MediaObject(response);
        Assert.Equal(4, stored.PartCount);
        Assert.Equal(content, stored.ReadAllBytes());
        Assert.Equal(content.Length, response.BytesUploaded);
    }

    [Theory]
    [InlineData(false, 700)]
    [InlineData(true, 700)]
    [InlineData(false, (2 * 1024 * 1024) + 5)] // multipart with 1 MiB parts, length unknown
    public async Task UploadsACoverFromAStreamReadOnceFromWhereItIsAndLeftOpen(bool seekable, int length)
    {
        var (media, mediaBytes) = _h.File("m.mp4", 5000);
        var content = new byte[length + 3];
        new Random(length).NextBytes(content);
        using var inner = seekable ? (Stream)new MemoryStream(content) : new NonSeekableStream(content);
        if (seekable)
        {
            inner.Position = 3; // read from where the stream is
        }
        else
        {
            Assert.Equal(3, inner.Read(new byte[3], 0, 3));
        }

        using var cover = new CountingStream(inner);
        using var client = _h.Client(o => o.Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize });
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, MediaName = "m", CoverStream = cover, CoverType = "jpg" });

        var coverObject = _h.Emulator.Objects.Single(o => o.Key.EndsWith("/cover.jpg", StringComparison.Ordinal));
        Assert.Equal(content[3..], coverObject.ReadAllBytes());
        Assert.Equal(length > TransferOptions.MinPartSize ? 3 : 0, coverObject.PartCount);
        Assert.Equal(mediaBytes, _h.MediaObject(response).ReadAllBytes());
        Assert.EndsWith(VodRaw.Signing.CosEncoding.EncodeObjectPath(coverObject.Key), response.CoverUrl, StringComparison.Ordinal);
        Assert.Equal("{\"MediaType\":\"mp4\",\"MediaName\":\"m\",\"CoverType\":\"jpg\"}", ApplyBody());
        Assert.Equal(length, cover.BytesRead); // every byte once
        Assert.False(cover.Disposed);
        Assert.Equal(length + mediaBytes.Length, response.BytesUploaded);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task PlansACoverStreamAsAStreamOfItsRemainingLengthOrOfNone()
    {
        var (media, _) = _h.File("m.mp4", 5000);
        using var client = _h.Client();
        using var seekable = new MemoryStream(new byte[700]) { Position = 100 };
        var known = await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverStream = seekable, CoverType = "jpg" });
        Assert.Equal(("-", 600L), (known.Files[1].Path, known.Files[1].Length!.Value));
        Assert.Equal(PlannedFileRole.Cover, known.Files[1].Role);
        Assert.Equal(5600, known.TotalBytes);

        using var pipe = new NonSeekableStream(new byte[700]);
        var unknown = await client.PlanAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverStream = pipe, CoverType = "jpg" });
        Assert.Null(unknown.Files[1].Length);
        Assert.Null(unknown.TotalBytes);
        Assert.Empty(_h.Recorder.Requests);
    }

    [Fact]
    public async Task ACoverStreamKeepsNoCheckpointWhereACoverFileWould()
    {
        var (media, _) = _h.File("m.mp4", 5000);
        var (coverFile, coverBytes) = _h.File("c.jpg", 700);
        var directory = Path.Combine(_h.TempDirectory, "checkpoints");
        using var client = _h.Client(o => o.Checkpoints = new VodRaw.Checkpoints.CheckpointStore(directory) { KeepCommitted = true });

        using var stream = new MemoryStream(coverBytes);
        var streamed = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverStream = stream, CoverType = "jpg" });
        Assert.Null(streamed.CheckpointId);
        Assert.Empty(Directory.Exists(directory) ? Directory.GetFiles(directory, "*.checkpoint") : []);

        // The same upload with the cover as a file is recorded (the store keeps committed uploads).
        var filed = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverFilePath = coverFile });
        Assert.NotNull(filed.CheckpointId);
        Assert.Single(Directory.GetFiles(directory, "*.checkpoint"));
    }

    [Fact]
    public async Task AFailedUploadWithACoverStreamIsAbortedNotPausedThoughCheckpointsAreOn()
    {
        var (media, _) = _h.File("m.mp4", 5000);
        var directory = Path.Combine(_h.TempDirectory, "checkpoints");
        using var client = _h.Client(o =>
        {
            o.Checkpoints = new VodRaw.Checkpoints.CheckpointStore(directory);
            o.Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize, Concurrency = 1 };
        });
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", partNumber: 2);
        using var cover = new NonSeekableStream(new byte[(2 * 1024 * 1024) + 5]);

        var failed = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverStream = cover, CoverType = "jpg" }));

        Assert.Equal("AccessDenied", failed.Code);
        Assert.Single(_h.Emulator.Faults.FiredRules);
        Assert.Null(failed.CheckpointId);
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads); // aborted, not kept for a resume
        Assert.Single(_h.Emulator.AbortedUploads);
        Assert.Empty(Directory.Exists(directory) ? Directory.GetFiles(directory, "*.checkpoint") : []);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task ACancelledUploadWithACoverStreamIsAbortedNotPausedThoughCheckpointsAreOn()
    {
        var (media, _) = _h.File("m.mp4", 5000);
        var directory = Path.Combine(_h.TempDirectory, "checkpoints");
        using var client = _h.Client(o =>
        {
            o.Checkpoints = new VodRaw.Checkpoints.CheckpointStore(directory);
            o.Transfer = new TransferOptions { PartSize = TransferOptions.MinPartSize, Concurrency = 1 };
        });
        _h.Emulator.Faults.Stall(EmulatorOperation.UploadPart, partNumber: 2);
        using var cover = new NonSeekableStream(new byte[(2 * 1024 * 1024) + 5]);
        using var cts = new CancellationTokenSource();

        var upload = client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverStream = cover, CoverType = "jpg" }, cancellationToken: cts.Token);
        for (var i = 0; i < 500 && _h.Emulator.Faults.FiredRules.Count == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Single(_h.Emulator.Faults.FiredRules); // part 2 of the cover hangs
        await cts.CancelAsync();
        var cancelled = await Assert.ThrowsAsync<UploadCanceledException>(() => upload);

        Assert.Contains(cancelled.Outcome, new[] { UploadInterruption.Aborted, UploadInterruption.NothingCommitted });
        Assert.Null(cancelled.CheckpointId);
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.Single(_h.Emulator.AbortedUploads);
        Assert.Empty(Directory.Exists(directory) ? Directory.GetFiles(directory, "*.checkpoint") : []);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UploadsAMediaStreamWithACoverFileOrACoverStream(bool coverFromStream)
    {
        var mediaBytes = new byte[4000];
        new Random(7).NextBytes(mediaBytes);
        var (coverFile, coverBytes) = _h.File("c.png", 900, seed: 8);
        using var media = new NonSeekableStream(mediaBytes);
        using var coverStream = new MemoryStream(coverBytes);
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", coverFromStream
            ? new VodUploadRequest { MediaStream = media, MediaType = "mp4", CoverStream = coverStream, CoverType = "png" }
            : new VodUploadRequest { MediaStream = media, MediaType = "mp4", CoverFilePath = coverFile });

        Assert.Equal(mediaBytes, _h.MediaObject(response).ReadAllBytes());
        Assert.Equal(coverBytes, _h.Emulator.Objects.Single(o => o.Key.EndsWith("/cover.png", StringComparison.Ordinal)).ReadAllBytes());
        Assert.NotNull(response.CoverUrl);
    }

    [Fact]
    public async Task ReportsMonotonicProgressEndingAtTheTotal()
    {
        var (path, content) = _h.File("p.mp4", (3 * 1024 * 1024) + 5);
        var (cover, coverBytes) = _h.File("p.jpg", 1234);
        var reports = new List<UploadProgress>();
        var progress = new SynchronousProgress<UploadProgress>(reports.Add);
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 500, "InternalError", partNumber: 2);
        using var client = _h.Client(o => o.ProgressInterval = TimeSpan.Zero);
        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path, CoverFilePath = cover }, progress);

        var total = content.Length + coverBytes.Length;
        Assert.Equal(UploadPhase.Completed, reports[^1].Phase);
        Assert.Equal(total, reports[^1].BytesUploaded);
        Assert.Equal(total, reports[^1].TotalBytes);
        Assert.Equal(2, reports[^1].FilesCompleted);
        for (var i = 1; i < reports.Count; i++)
        {
            Assert.True(reports[i].BytesUploaded >= reports[i - 1].BytesUploaded, "progress never goes back");
            Assert.True(reports[i].BytesUploaded <= total);
        }
    }

    [Fact]
    public async Task UploadsAOneGibibyteSparseFile()
    {
        await using var big = await UploadHarness.StartAsync(new VodEmulatorOptions { StoreContent = false });
        var path = big.SparseFile("big.mp4", 1L << 30);
        using var client = big.Client(o => o.Transfer = new TransferOptions { PartSize = 8 * 1024 * 1024, Concurrency = 4 });
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });
        var stored = big.Emulator.Objects.Single();
        Assert.Equal(1L << 30, stored.Length);
        Assert.Equal(128, stored.PartCount);
        Assert.Equal(ZerosCrc(1L << 30), stored.Crc64);
        Assert.Equal(1L << 30, response.BytesUploaded);
        Assert.Equal(big.Pool.Rents, big.Pool.Returns);
        Assert.InRange(big.Pool.PeakOutstanding, 1, 4);
    }

    private string ApplyBody() => _h.Recorder.Requests.Single(r => r.Action == "ApplyUpload").Body;

    internal static ulong ZerosCrc(long length)
    {
        var chunk = Crc64.Compute(new byte[1 << 20]);
        ulong crc = 0;
        for (long done = 0; done < length; done += 1 << 20)
        {
            crc = Crc64.Combine(crc, chunk, 1 << 20);
        }

        return crc;
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>A read-only stream that cannot seek or tell its length, like a pipe.</summary>
internal sealed class NonSeekableStream(byte[] content) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        // Short reads on purpose, as pipes give.
        var n = Math.Min(Math.Min(count, 100_000), content.Length - _position);
        Array.Copy(content, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A stream that counts the bytes read through it and whether it was disposed.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long BytesRead { get; private set; }

    public bool Disposed { get; private set; }

    public override bool CanRead => !Disposed;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        BytesRead += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
