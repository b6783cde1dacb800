using System.Collections.Concurrent;
using VodRaw.Checkpoints;
using VodRaw.Hashing;
using VodRaw.Tests.Support;
using VodRaw.Transfer;

namespace VodRaw.Tests.Transfer;

/// <summary>The upload algorithm against an in-memory target (no sockets): ordering, bounds, cleanup.</summary>
public class ObjectUploaderTests
{
    [Fact]
    public async Task CompletesWithPartsInAscendingOrderAndTheirCrcs()
    {
        var data = Data(10 * 1024 * 1024 + 5);
        var target = new MemoryTarget();
        var pool = new CountingArrayPool();
        using var buffers = new PartBufferPool(pool, 3);
        var uploader = new ObjectUploader(buffers, new ProgressTracker(null, TimeProvider.System, TimeSpan.Zero), new UploadLedger(), TimeSpan.FromSeconds(1));

        var bytes = await uploader.UploadAsync(new StreamPartSource(new MemoryStream(data), data.Length), target, 1024 * 1024, 3, CancellationToken.None, NullJournal.Instance);

        Assert.Equal(data.Length, bytes);
        Assert.Equal(Enumerable.Range(1, 11), target.Completed!.Select(p => p.PartNumber));
        Assert.Equal(data, target.Assemble());
        Assert.Equal(pool.Rents, pool.Returns);
        Assert.InRange(pool.PeakOutstanding, 1, 3);
        Assert.InRange(target.PeakConcurrent, 1, 3);
    }

    [Fact]
    public async Task APermanentFailureStopsSiblingsAbortsAndSurfacesTheOriginalError()
    {
        var data = Data(8 * 1024 * 1024);
        var target = new MemoryTarget { FailPart = 5 };
        var pool = new CountingArrayPool();
        using var buffers = new PartBufferPool(pool, 4);
        var uploader = new ObjectUploader(buffers, new ProgressTracker(null, TimeProvider.System, TimeSpan.Zero), new UploadLedger(), TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<CosException>(() =>
            uploader.UploadAsync(new StreamPartSource(new MemoryStream(data), data.Length), target, 1024 * 1024, 4, CancellationToken.None, NullJournal.Instance));

        Assert.Equal("Injected", error.Code);
        Assert.True(target.Aborted);
        Assert.Null(target.Completed);
        Assert.False(target.AbortTokenWasCancelled);
        Assert.Equal(pool.Rents, pool.Returns);
    }

    [Fact]
    public async Task CancellationAbortsWithAFreshTokenAndReturnsEveryBuffer()
    {
        var data = Data(8 * 1024 * 1024);
        using var cts = new CancellationTokenSource();
        var target = new MemoryTarget { OnPart = n => { if (n == 3) { cts.Cancel(); } } };
        var pool = new CountingArrayPool();
        using var buffers = new PartBufferPool(pool, 2);
        var uploader = new ObjectUploader(buffers, new ProgressTracker(null, TimeProvider.System, TimeSpan.Zero), new UploadLedger(), TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            uploader.UploadAsync(new StreamPartSource(new MemoryStream(data), data.Length), target, 1024 * 1024, 2, cts.Token, NullJournal.Instance));

        Assert.True(target.Aborted);
        Assert.False(target.AbortTokenWasCancelled);
        Assert.Equal(pool.Rents, pool.Returns);
    }

    [Fact]
    public async Task AResumedMultipartUploadSendsOnlyThePartsTheTargetDoesNotHold()
    {
        var data = Data(6 * 1024 * 1024);
        var path = Path.Combine(Path.GetTempPath(), "vodraw-resume-" + Guid.NewGuid().ToString("N") + ".bin");
        await File.WriteAllBytesAsync(path, data);
        using var file = new FilePartSource(path); // a file: a resume skips the parts held (a stream must be read through)
        using var cts = new CancellationTokenSource();
        var target = new MemoryTarget { OnPart = n => { if (n == 4) { cts.Cancel(); } } };
        var pool = new CountingArrayPool();
        using (var buffers = new PartBufferPool(pool, 1))
        {
            // Interrupted with the upload kept (as a checkpointed session keeps it): parts 1-3 are held.
            var first = new ObjectUploader(buffers, new ProgressTracker(null, TimeProvider.System, TimeSpan.Zero), new UploadLedger(), TimeSpan.FromSeconds(1), keepOnInterrupt: true);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                first.UploadAsync(file, target, 1024 * 1024, 1, cts.Token, NullJournal.Instance));
        }

        Assert.False(target.Aborted);
        var held = await target.ListPartsAsync("upload-1", CancellationToken.None);
        Assert.Equal([1, 2, 3], held!.Select(p => p.PartNumber));
        var resumed = new MultipartState("upload-1");
        foreach (var part in held!)
        {
            resumed.Add(new CompletedPart(part.PartNumber, part.ETag, part.Size, Crc64.Compute(data.AsSpan((part.PartNumber - 1) * 1024 * 1024, (int)part.Size))));
        }

        var sentBefore = target.PartsSent;
        using var again = new PartBufferPool(pool, 2);
        var uploader = new ObjectUploader(again, new ProgressTracker(null, TimeProvider.System, TimeSpan.Zero), new UploadLedger(), TimeSpan.FromSeconds(1));
        var bytes = await uploader.UploadAsync(file, target, 1024 * 1024, 2, CancellationToken.None, NullJournal.Instance, resumed);

        Assert.Equal(3 * 1024 * 1024, bytes); // only parts 4-6 went up
        Assert.Equal(3, target.PartsSent - sentBefore);
        Assert.Equal(data, target.Assemble());
        Assert.True(await target.IsStoredAsync(data.Length, Crc64.Compute(data), CancellationToken.None));
        Assert.Equal(pool.Rents, pool.Returns);
        File.Delete(path);
    }

    private static byte[] Data(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    private sealed class MemoryTarget : IMultipartTarget
    {
        private readonly ConcurrentDictionary<int, byte[]> _parts = new();
        private int _concurrent;
        private int _peak;
        private int _sent;

        public int? FailPart { get; init; }

        public Action<int>? OnPart { get; init; }

        public IReadOnlyList<CompletedPart>? Completed { get; private set; }

        public bool Aborted { get; private set; }

        public bool AbortTokenWasCancelled { get; private set; }

        public int PeakConcurrent => _peak;

        public string Key => "memory/object";

        public string Bucket => "memory";

        public IReadOnlyList<OpenMultipartUpload> StrayUploads => [];

        public Task<ulong?> PutObjectAsync(PartData data, PartProgress progress, CancellationToken cancellationToken) =>
            Task.FromResult<ulong?>(Crc64.Compute(data.Bytes.Span));

        public Task<string> InitiateAsync(CancellationToken cancellationToken) => Task.FromResult("upload-1");

        public async Task<CompletedPart> UploadPartAsync(string uploadId, int partNumber, PartData part, PartProgress progress, CancellationToken cancellationToken)
        {
            var data = part.Bytes;
            var crc64 = part.KnownCrc64!.Value;
            var now = Interlocked.Increment(ref _concurrent);
            int peak;
            while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
            {
            }

            try
            {
                OnPart?.Invoke(partNumber);
                await Task.Delay(5, cancellationToken);
                if (partNumber == FailPart)
                {
                    throw new CosException("UploadPart", "Injected", "injected failure") { PartNumber = partNumber };
                }

                Assert.Equal(Crc64.Compute(data.Span), crc64);
                _parts[partNumber] = data.ToArray();
                Interlocked.Increment(ref _sent);
                return new CompletedPart(partNumber, "\"etag" + partNumber + "\"", data.Length, crc64);
            }
            finally
            {
                Interlocked.Decrement(ref _concurrent);
            }
        }

        public Task<ulong?> CompleteAsync(string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken)
        {
            Completed = parts;
            return Task.FromResult<ulong?>(Crc64.Compute(Assemble()));
        }

        public Task<bool> AbortAsync(string uploadId, CancellationToken cancellationToken)
        {
            Aborted = true;
            AbortTokenWasCancelled = cancellationToken.IsCancellationRequested;
            return Task.FromResult(true);
        }

        public Task<IReadOnlyList<ListedPart>?> ListPartsAsync(string uploadId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ListedPart>?>(Aborted || Completed is not null ? null : _parts.OrderBy(p => p.Key).Select(p => new ListedPart(p.Key, "\"etag" + p.Key + "\"", p.Value.Length)).ToList());

        public Task<bool> IsStoredAsync(long size, ulong crc64, CancellationToken cancellationToken)
        {
            var whole = Assemble();
            return Task.FromResult(Completed is not null && whole.Length == size && Crc64.Compute(whole) == crc64);
        }

        public Task<IReadOnlyList<OpenMultipartUpload>> AbortAllUploadsAsync(string reason)
        {
            Aborted = true;
            return Task.FromResult<IReadOnlyList<OpenMultipartUpload>>([]);
        }

        public int PartsSent => _sent;

        public byte[] Assemble() => _parts.OrderBy(p => p.Key).SelectMany(p => p.Value).ToArray();
    }
}
