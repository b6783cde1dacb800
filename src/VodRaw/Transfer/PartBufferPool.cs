using System.Buffers;

namespace VodRaw.Transfer;

/// <summary>
/// The part buffers of one upload: at most the gate's limit rented or reserved at once (the gate that bounds part
/// memory and parts in flight together; adaptive concurrency moves it), within the client's <see cref="MemoryBudget"/>
/// shared by every upload it runs, each from an <see cref="ArrayPool{T}"/> the upload owns, each returned exactly once.
/// </summary>
internal sealed class PartBufferPool : IDisposable
{
    private readonly ArrayPool<byte> _pool;
    private readonly ConcurrencyGate _gate;
    private readonly MemoryBudget? _budget;

    public PartBufferPool(ArrayPool<byte> pool, int maxBuffers, MemoryBudget? budget = null)
        : this(pool, new ConcurrencyGate(maxBuffers, maxBuffers), budget)
    {
    }

    public PartBufferPool(ArrayPool<byte> pool, ConcurrencyGate gate, MemoryBudget? budget = null)
    {
        _pool = pool;
        _gate = gate;
        _budget = budget;
    }

    /// <summary>The arrays: part buffers, and the chunks streamed parts rent while they are written.</summary>
    public ArrayPool<byte> Arrays => _pool;

    /// <summary>The gate: parts in flight.</summary>
    public ConcurrencyGate Gate => _gate;

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

    /// <summary>
    /// Waits for a free slot and charges <paramref name="bytes"/> to the budget without renting an array: a streamed
    /// part, whose body rents and returns its own chunk (<see cref="PartContent.ChunkSize"/>) while it is written.
    /// </summary>
    public async ValueTask<PartBuffer> ReserveAsync(int bytes, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_budget is not null)
            {
                await _budget.WaitAsync(bytes, cancellationToken).ConfigureAwait(false);
            }

            return new PartBuffer(this, null, 0, _budget is null ? 0 : bytes);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    internal void Return(byte[]? array, long charged)
    {
        if (array is not null)
        {
            _pool.Return(array);
        }

        _budget?.Release(charged);
        _gate.Release();
    }

    public void Dispose() => _gate.Dispose();
}

/// <summary>One rented part buffer (or a reservation without an array); its single owner disposes it to return it.</summary>
internal sealed class PartBuffer : IDisposable
{
    private PartBufferPool? _owner;
    private byte[]? _array;

    private readonly long _charged;

    internal PartBuffer(PartBufferPool owner, byte[]? array, int size, long charged)
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
            var array = _array;
            _array = null;
            owner.Return(array, _charged);
        }
    }
}
