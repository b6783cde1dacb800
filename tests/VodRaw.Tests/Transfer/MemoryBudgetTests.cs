using VodRaw.Transfer;

namespace VodRaw.Tests.Transfer;

public sealed class MemoryBudgetTests
{
    [Fact]
    public async Task AWaiterGoesOnlyWhenItsBytesFit()
    {
        var budget = new MemoryBudget(10);
        await budget.WaitAsync(6, CancellationToken.None);
        var second = budget.WaitAsync(6, CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        budget.Release(6);
        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(6, budget.Held);
        Assert.Equal(6, budget.PeakHeld);
    }

    [Fact]
    public async Task SmallRequestsShareTheBudgetBesideABigOne()
    {
        var budget = new MemoryBudget(10);
        await budget.WaitAsync(8, CancellationToken.None);
        await budget.WaitAsync(1, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await budget.WaitAsync(1, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(10, budget.Held);
    }

    [Fact]
    public async Task WaitersAreServedInOrderSoABigOneIsNotStarvedBySmallOnes()
    {
        var budget = new MemoryBudget(10);
        await budget.WaitAsync(5, CancellationToken.None);
        var big = budget.WaitAsync(10, CancellationToken.None).AsTask();
        var small = budget.WaitAsync(1, CancellationToken.None).AsTask();
        Assert.False(small.IsCompleted); // it would fit, but the big one asked first
        budget.Release(5);
        await big.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(small.IsCompleted);
        budget.Release(10);
        await small.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ARequestLargerThanTheBudgetGoesAloneWhenNothingIsHeld()
    {
        var budget = new MemoryBudget(10);
        await budget.WaitAsync(3, CancellationToken.None);
        var huge = budget.WaitAsync(25, CancellationToken.None).AsTask();
        Assert.False(huge.IsCompleted);
        budget.Release(3);
        await huge.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(25, budget.Held);
        budget.Release(25);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public async Task ACancelledWaiterLeavesTheQueueAndLetsThoseBehindItGo()
    {
        var budget = new MemoryBudget(10);
        await budget.WaitAsync(5, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var big = budget.WaitAsync(10, cts.Token).AsTask();
        var small = budget.WaitAsync(2, CancellationToken.None).AsTask();
        Assert.False(small.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => big);
        await small.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(7, budget.Held);
    }

    [Fact]
    public async Task ThePartPoolChargesTheBudgetForEveryBufferAndGivesItBack()
    {
        var budget = new MemoryBudget(3 * 1024);
        using var a = new PartBufferPool(System.Buffers.ArrayPool<byte>.Shared, 4, budget);
        using var b = new PartBufferPool(System.Buffers.ArrayPool<byte>.Shared, 4, budget);
        var first = await a.RentAsync(1000, CancellationToken.None, capacity: 1024);
        var second = await b.RentAsync(1024, CancellationToken.None);
        var third = await a.RentAsync(1024, CancellationToken.None);
        var fourth = b.RentAsync(1024, CancellationToken.None).AsTask();
        Assert.False(fourth.IsCompleted); // two pools, one budget
        first.Dispose();
        (await fourth.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        second.Dispose();
        third.Dispose();
        Assert.Equal(0, budget.Held);
        Assert.Equal(3 * 1024, budget.PeakHeld);
    }
}
