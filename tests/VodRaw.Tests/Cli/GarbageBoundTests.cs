using VodRaw.Cli;

namespace VodRaw.Tests.Cli;

public class GarbageBoundTests
{
    [Fact]
    public void ACollectionRunsOnceMoreThanHalfAMebibyteWasAllocatedSinceTheLast()
    {
        // The allocation counter is the process's (other tests allocate too): a substituted one makes this exact.
        long allocated = 10_000;
        var collections = 0;
        var bound = new GarbageBound(() => allocated, () => collections++);

        allocated += GarbageBound.Threshold - 1;
        bound.Check();
        Assert.Equal(0, collections); // just under the threshold: nothing

        allocated += 1;
        bound.Check();
        Assert.Equal(1, collections);
        Assert.Equal(1, bound.Collections);

        allocated += 128 * 1024; // counted from the last collection, not from the start
        bound.Check();
        Assert.Equal(1, collections);

        allocated += 4 << 20;
        bound.Check();
        bound.Check(); // one collection per crossing, however often it is checked
        Assert.Equal(2, collections);
    }

    [Fact]
    public void TheDefaultBoundRunsARealGenerationZeroCollection()
    {
        var bound = new GarbageBound();
        var before = GC.CollectionCount(0);
        var garbage = 0;
        for (var i = 0; i < 64; i++)
        {
            garbage += new byte[64 * 1024].Length; // 4 MiB of short-lived arrays: past the threshold whatever else runs
        }

        bound.Check();
        Assert.Equal(4 << 20, garbage);
        Assert.Equal(1, bound.Collections);
        Assert.True(GC.CollectionCount(0) > before);
    }
}
