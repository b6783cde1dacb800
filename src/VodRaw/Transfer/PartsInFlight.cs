using System.Buffers;

namespace VodRaw.Transfer;

/// <summary>
/// How many parts one upload keeps in flight and what bounds them: the gate (fixed, or moved by
/// <see cref="AdaptiveConcurrency"/>), the memory budget part buffers are counted in, and the pool they come from.
/// </summary>
internal sealed class PartsInFlight : IDisposable
{
    private PartsInFlight(PartBufferPool pool, AdaptiveConcurrency? adaptive, int ceiling, MemoryBudget? budget)
    {
        Budget = budget;
        Pool = pool;
        Adaptive = adaptive;
        Ceiling = ceiling;
    }

    /// <summary>The upload's part buffers, behind its gate.</summary>
    public PartBufferPool Pool { get; }

    /// <summary>The adaptive setting; null when the concurrency is fixed.</summary>
    public AdaptiveConcurrency? Adaptive { get; }

    /// <summary>The budget part memory is counted in (the client's, or an adaptive upload's own); null when none.</summary>
    public MemoryBudget? Budget { get; }

    /// <summary>The most parts that can ever be in flight (workers to start).</summary>
    public int Ceiling { get; }

    /// <summary>
    /// Fixed (<paramref name="concurrency"/> set): that many, in the client's budget if it has one. Adaptive: from
    /// <see cref="TransferOptions.DefaultConcurrency"/> up to as many as the budget holds at what one part in flight
    /// costs — one chunk for a streamed file, a whole part otherwise — where the budget is the client's, or for this
    /// upload alone <see cref="TransferOptions.DefaultMemoryBudget"/> (at least four parts' worth, so a stream of big
    /// parts still gets the fixed default).
    /// </summary>
    public static PartsInFlight Create(int? concurrency, long partSize, bool streamedParts, MemoryBudget? clientBudget,
        Func<int, long, ArrayPool<byte>> arrays, TimeProvider time)
    {
        if (concurrency is { } fixedConcurrency)
        {
            return new(new PartBufferPool(arrays(fixedConcurrency, partSize), fixedConcurrency, clientBudget), null, fixedConcurrency, clientBudget);
        }

        var perPart = streamedParts ? Math.Min(partSize, PartContent.ChunkSize) : partSize;
        var budget = clientBudget ?? new MemoryBudget(Math.Max(TransferOptions.DefaultMemoryBudget, TransferOptions.DefaultConcurrency * perPart));
        var ceiling = (int)Math.Clamp(budget.Capacity / perPart, 1, TransferOptions.MaxConcurrency);
        var gate = new ConcurrencyGate(Math.Min(TransferOptions.DefaultConcurrency, ceiling), ceiling);
        return new(new PartBufferPool(arrays(ceiling, partSize), gate, budget), new AdaptiveConcurrency(gate, time), ceiling, budget);
    }

    public void Dispose() => Pool.Dispose();
}
