using System.Buffers;

namespace VodRaw.Transfer;

/// <summary>
/// The part buffers of one upload: at most <c>maxBuffers</c> rented at once (the gate that bounds part memory and
/// parts in flight together), within the client's <see cref="MemoryBudget"/> shared by every upload it runs, each
/// from an <see cref="ArrayPool{T}"/> the upload owns, each returned exactly once.
/// </summary>
internal sealed class PartBufferPool : IDisposable
{
    private readonly ArrayPool<byte> _pool;
    private readonly SemaphoreSlim _gate;
    private readonly MemoryBudget? _budget;

    public PartBufferPool(ArrayPool<byte> pool, int maxBuffers, MemoryBudget? budget = null)
    {
        _pool = pool;
        _gate = new SemaphoreSlim(maxBuffers, maxBuffers);
        _budget = budget;
    }

    /// <summary>
    /// Waits for a free slot, then rents a buffer of at least <paramref name="capacity"/> (default <paramref name="size"/>)
    /// bytes of which <paramref name="size"/> are used. Renting every part of a plan at the full part size keeps them
    /// in one size class of the pool.
    /// </summary>
    public async ValueTask<PartBuffer> RentAsync(int size, CancellationToken cancellationToken, int capacity = 0)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var charged = 0L;
        try
        {
            var length = Math.Max(Math.Max(size, capacity), 1);
            if (_budget is not null)
            {
                await _budget.WaitAsync(length, cancellationToken).ConfigureAwait(false);
                charged = length;
            }

            var array = _pool.Rent(length);
            return new PartBuffer(this, array, size, charged);
        }
        catch
        {
            _budget?.Release(charged);
            _gate.Release();
            throw;
        }
    }

    internal void Return(byte[] array, long charged)
    {
        _pool.Return(array);
        _budget?.Release(charged);
        _gate.Release();
    }

    public void Dispose() => _gate.Dispose();
}

/// <summary>One rented part buffer; its single owner disposes it to return it.</summary>
internal sealed class PartBuffer : IDisposable
{
    private PartBufferPool? _owner;
    private byte[]? _array;

    private readonly long _charged;

    internal PartBuffer(PartBufferPool owner, byte[] array, int size, long charged)
    {
        _owner = owner;
        _array = array;
        _charged = charged;
        Size = size;
    }

    /// <summary>The requested size (the array may be larger).</summary>
    public int Size { get; }

    public Memory<byte> Memory => _array is { } a ? a.AsMemory(0, Size) : throw new ObjectDisposedException(nameof(PartBuffer));

    public void Dispose()
    {
        var owner = Interlocked.Exchange(ref _owner, null);
        if (owner is not null)
        {
            var array = _array!;
            _array = null;
            owner.Return(array, _charged);
        }
    }
}
