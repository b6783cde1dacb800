namespace VodRaw.Transfer;

/// <summary>
/// The bytes of part buffers one client may hold at once, across every upload it runs: a weighted, first-come
/// first-served gate. A request larger than the whole budget (a resumed upload's bigger parts) waits until nothing
/// else is held, then goes alone, so it can never wait forever.
/// </summary>
/// <remarks>
/// First come, first served keeps a big part from starving behind a stream of small PUTs; small files still run
/// beside a big one, because the budget is counted in bytes, not buffers.
/// </remarks>
internal sealed class MemoryBudget
{
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _queue = new();
    private long _available;

    public MemoryBudget(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bytes, 0);
        Capacity = bytes;
        _available = bytes;
    }

    /// <summary>The budget, in bytes.</summary>
    public long Capacity { get; }

    /// <summary>The bytes held now (for tests and diagnostics).</summary>
    public long Held
    {
        get
        {
            lock (_gate)
            {
                return Capacity - _available;
            }
        }
    }

    /// <summary>The most bytes ever held at once (for tests and benchmarks).</summary>
    public long PeakHeld { get; private set; }

    /// <summary>Waits until <paramref name="bytes"/> fit (or, for an oversized request, until nothing is held), then takes them.</summary>
    public ValueTask WaitAsync(long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            if (_queue.Count == 0 && Fits(bytes))
            {
                Take(bytes);
                return ValueTask.CompletedTask;
            }

            waiter = new Waiter(bytes);
            waiter.Node = _queue.AddLast(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var (budget, w) = ((MemoryBudget, Waiter))state!;
                    budget.Cancel(w, token);
                },
                (this, waiter));
        }

        return new ValueTask(waiter.Completion.Task);
    }

    /// <summary>Gives back what <see cref="WaitAsync"/> took, and lets the waiters that now fit go, in order.</summary>
    public void Release(long bytes)
    {
        List<Waiter>? ready = null;
        lock (_gate)
        {
            _available += bytes;
            while (_queue.First is { } first && Fits(first.Value.Bytes))
            {
                _queue.RemoveFirst();
                first.Value.Node = null;
                Take(first.Value.Bytes);
                (ready ??= []).Add(first.Value);
            }
        }

        // Completions run outside the lock (continuations are asynchronous anyway).
        foreach (var w in ready ?? [])
        {
            w.Registration.Dispose();
            w.Completion.TrySetResult();
        }
    }

    private bool Fits(long bytes) => bytes <= _available || _available == Capacity;

    private void Take(long bytes)
    {
        _available -= bytes;
        PeakHeld = Math.Max(PeakHeld, Capacity - _available);
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_gate)
        {
            if (waiter.Node is null)
            {
                return;
            }

            _queue.Remove(waiter.Node);
            waiter.Node = null;
        }

        waiter.Completion.TrySetCanceled(token);
        // A waiter at the head may have been holding back smaller ones behind it.
        Release(0);
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}
