using System.Collections.Concurrent;
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

        var bytes = await uploader.UploadAsync(new StreamPartSource(new MemoryStream(data), data.Length), target, 1024 * 1024, 3, CancellationToken.None);

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
            uploader.UploadAsync(new StreamPartSource(new MemoryStream(data), data.Length), target, 1024 * 1024, 4, CancellationToken.None));

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
            uploader.UploadAsync(new StreamPartSource(new MemoryStream(data), data.Length), target, 1024 * 1024, 2, cts.Token));

        Assert.True(target.Aborted);
        Assert.False(target.AbortTokenWasCancelled);
        Assert.Equal(pool.Rents, pool.Returns);
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

        public byte[] Assemble() => _parts.OrderBy(p => p.Key).SelectMany(p => p.Value).ToArray();
    }
}
