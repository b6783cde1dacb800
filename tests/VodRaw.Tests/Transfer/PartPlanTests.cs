using VodRaw.Transfer;

namespace VodRaw.Tests.Transfer;

public class PartPlanTests
{
    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;
    private const long TiB = 1024 * GiB;

    public static TheoryData<long, long> Sizes => new()
    {
        { 0, 8 * MiB }, { 1, 8 * MiB }, { MiB, MiB }, { MiB + 1, MiB }, { 8 * MiB - 1, 8 * MiB }, { 8 * MiB, 8 * MiB },
        { 8 * MiB + 1, 8 * MiB }, { 78 * GiB, 8 * MiB }, { 10000 * MiB, MiB }, { 10000 * MiB + 1, MiB }, { TiB, 8 * MiB },
        { 19 * TiB, 8 * MiB }, { 48 * TiB, 8 * MiB }, { 48 * TiB, 5 * GiB }, { 5 * GiB, 5 * GiB }, { 5 * GiB + 1, 5 * GiB },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void EveryPlanCoversTheObjectWithinCosLimits(long length, long preferred)
    {
        var plan = PartPlan.Create(length, preferred);
        Assert.InRange(plan.PartCount, 1, PartPlan.MaxParts);
        Assert.InRange(plan.PartSize, 0, TransferOptions.MaxPartSize);
        Assert.Equal(length <= preferred, plan.IsSinglePut);
        if (!plan.IsSinglePut)
        {
            Assert.True(plan.PartSize >= preferred, "the part size only grows");
            Assert.True(plan.PartSize >= TransferOptions.MinPartSize);
            var (lastOffset, lastSize) = plan.GetPart(plan.PartCount - 1);
            Assert.Equal(length, lastOffset + lastSize);
            Assert.InRange(lastSize, 1, plan.PartSize);
            Assert.Equal(plan.PartSize, plan.GetPart(0).Size);
            // Minimal: the preferred size, or 5 GiB, or a doubling whose half does not fit, or a whole-MiB size one MiB under which does not fit.
            Assert.True(plan.PartSize == preferred || plan.PartSize == TransferOptions.MaxPartSize
                || Count(length, plan.PartSize / 2) > PartPlan.MaxParts
                || (plan.PartSize % MiB == 0 && Count(length, plan.PartSize - MiB) > PartPlan.MaxParts));
        }
    }

    private static long Count(long length, long partSize) => (length + partSize - 1) / partSize;

    [Fact]
    public void StaysWithinOneBufferUpToNearlyTwentyTebibytes()
    {
        var plan = PartPlan.Create(19 * TiB, 8 * MiB);
        Assert.Equal(1993 * MiB, plan.PartSize);
        plan.EnsureBufferable();
        Assert.Equal(GiB, PartPlan.Create(9 * TiB, 8 * MiB).PartSize);
    }

    [Fact]
    public void GrowsOneMibPartsPastTheOldNineGibibyteCeiling()
    {
        var plan = PartPlan.Create(10000 * MiB + 1, MiB);
        Assert.Equal(2 * MiB, plan.PartSize);
        Assert.Equal(5001, plan.PartCount);
    }

    [Fact]
    public void FortyEightTebibytesPlansWithFiveGibibyteParts()
    {
        var plan = PartPlan.Create(48 * TiB, 8 * MiB);
        Assert.Equal(5 * GiB, plan.PartSize);
        Assert.Equal(9831, plan.PartCount);
        Assert.Throws<ArgumentOutOfRangeException>(plan.EnsureBufferable);
        PartPlan.Create(19 * TiB, 8 * MiB).EnsureBufferable();
    }

    [Fact]
    public void RefusesWhatCosCannotStore()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PartPlan.Create(PartPlan.MaxObjectSize + 1, 8 * MiB));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartPlan.Create(-1, 8 * MiB));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartPlan.Create(10, MiB - 1));
        Assert.Equal(10000, PartPlan.Create(PartPlan.MaxObjectSize, 8 * MiB).PartCount);
    }
}
