namespace VodRaw.Transfer;

/// <summary>
/// A counting gate whose limit can move while it is in use: the parts in flight of one upload. Raising the limit lets
/// waiters in at once; lowering it takes free slots back at once and the rest as holders leave (no holder is
/// interrupted).
/// </summary>
internal sealed class ConcurrencyGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly object _lock = new();
    private int _limit;
    private int _debt; // slots to swallow on release, after the limit was lowered below what is held

    public ConcurrencyGate(int limit, int maxLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLimit, limit);
        _slots = new SemaphoreSlim(limit, maxLimit);
        _limit = limit;
        MaxLimit = maxLimit;
    }

    /// <summary>The slots allowed now.</summary>
    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }
    }

    /// <summary>The highest limit this gate can be given.</summary>
    public int MaxLimit { get; }

    public Task WaitAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    public void Release()
    {
        lock (_lock)
        {
            if (_debt > 0)
            {
                _debt--;
                return;
            }

            _slots.Release();
        }
    }

    /// <summary>Moves the limit to <paramref name="limit"/> (clamped to 1…<see cref="MaxLimit"/>).</summary>
    public void SetLimit(int limit)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        lock (_lock)
        {
            var change = limit - _limit;
            _limit = limit;
            if (change > 0)
            {
                var repaid = Math.Min(_debt, change);
                _debt -= repaid;
                if (change > repaid)
                {
                    _slots.Release(change - repaid);
                }
            }
            else
            {
                for (var i = 0; i < -change; i++)
                {
                    if (!_slots.Wait(0))
                    {
                        _debt++;
                    }
                }
            }
        }
    }

    public void Dispose() => _slots.Dispose();
}
