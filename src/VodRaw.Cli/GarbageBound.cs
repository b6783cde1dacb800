namespace VodRaw.Cli;

/// <summary>
/// Keeps short-lived garbage from piling up in memory: at each check (a batch's finished file, a single upload's
/// progress report), once 512 KiB have been allocated since the last collection, a gen-0 collection runs (well under a
/// millisecond: little survives it).
/// </summary>
/// <remarks>
/// Each file costs some 100 KiB of garbage (requests, signatures, JSON, checkpoint writes) on top of its part
/// buffers, which are pooled. The default gen-0 budget scales with the CPU cache and let 200 files add 27 % to the
/// process's peak RSS (benchmarks/README.md, "Batch"; 14 % with this bound at 8 MiB, 7 % at 2 MiB); the GC's own budget
/// knobs (GCgen0size, GCgen0MaxBudget) are read from environment variables only, not from runtimeconfig.json
/// (measured: no effect there), so the CLI bounds it here. A single upload makes about 1 KiB of garbage per MiB sent,
/// which never fills that budget: without the bound, a 16 GiB upload's peak RSS was 1.16 × a 1 GiB upload's
/// (benchmarks/README.md, "Memory flatness"). At 2 MiB the first collection came some 1 GiB into an upload and RSS
/// climbed until then; at 512 KiB a 4 GiB upload levels off 1.7 MiB lower, 0.75 s sooner (about 4 collections per
/// GiB, each well under a millisecond).
/// </remarks>
internal sealed class GarbageBound
{
    internal const long Threshold = 512L << 10;
    private readonly Func<long> _allocated;
    private readonly Action _collect;
    private long _mark;

    public GarbageBound()
        : this(static () => GC.GetTotalAllocatedBytes(), static () => GC.Collect(0, GCCollectionMode.Forced, blocking: true))
    {
    }

    /// <summary>For tests: the process-wide allocation counter and the collection, substituted.</summary>
    internal GarbageBound(Func<long> allocated, Action collect)
    {
        _allocated = allocated;
        _collect = collect;
        _mark = allocated();
    }

    public int Collections { get; private set; }

    public void Check()
    {
        var now = _allocated();
        if (now - Interlocked.Read(ref _mark) < Threshold)
        {
            return;
        }

        Interlocked.Exchange(ref _mark, now);
        _collect();
        Collections++;
    }
}
