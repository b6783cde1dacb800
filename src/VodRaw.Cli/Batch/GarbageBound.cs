namespace VodRaw.Cli.Batch;

/// <summary>
/// Keeps a long batch's short-lived garbage from piling up in memory: after a file finishes, once 2 MiB have been
/// allocated since the last collection, a gen-0 collection runs (about a millisecond: little survives it).
/// </summary>
/// <remarks>
/// Each file costs some 100 KiB of garbage (requests, signatures, JSON, checkpoint writes) on top of its part
/// buffers, which are pooled. The default gen-0 budget scales with the CPU cache and let 200 files add 27 % to the
/// process's peak RSS (benchmarks/README.md, "Batch"; 14 % with this bound at 8 MiB, 7 % at 2 MiB); the GC's own budget
/// knobs (GCgen0size, GCgen0MaxBudget) are read from environment variables only, not from runtimeconfig.json
/// (measured: no effect there), so the CLI bounds it here.
/// </remarks>
internal sealed class GarbageBound
{
    private const long Threshold = 2L << 20;
    private long _mark = GC.GetTotalAllocatedBytes();

    public int Collections { get; private set; }

    public void FileFinished()
    {
        var now = GC.GetTotalAllocatedBytes();
        if (now - Interlocked.Read(ref _mark) < Threshold)
        {
            return;
        }

        Interlocked.Exchange(ref _mark, now);
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        Collections++;
    }
}
