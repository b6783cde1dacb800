using VodRaw.Cli;

namespace VodRaw.Tests.Cli;

public class GarbageBoundTests
{
    [Fact]
    public void ACheckAfterMoreThanHalfAMebibyteOfGarbageRunsOneGenerationZeroCollection()
    {
        var bound = new GarbageBound();
        bound.Check();
        var quiet = bound.Collections;

        var before = GC.CollectionCount(0);
        var garbage = 0;
        for (var i = 0; i < 64; i++)
        {
            garbage += new byte[64 * 1024].Length; // 4 MiB of short-lived arrays
        }

        bound.Check();
        Assert.Equal(4 << 20, garbage);
        Assert.Equal(quiet + 1, bound.Collections);
        Assert.True(GC.CollectionCount(0) > before);

        var small = new byte[128 * 1024].Length; // under the threshold: no collection
        bound.Check();
        Assert.Equal(128 * 1024, small);
        Assert.Equal(quiet + 1, bound.Collections);
    }
}
