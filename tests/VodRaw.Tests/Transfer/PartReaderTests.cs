using VodRaw.Tests.Support;
using VodRaw.Transfer;

namespace VodRaw.Tests.Transfer;

public sealed class PartReaderTests
{
    [Fact]
    public async Task AStreamWithMorePartsThanAllowedIsRefusedAtThePartPastTheLimit()
    {
        using var buffers = new PartBufferPool(new CountingArrayPool(), 1);
        using var reader = new PartReader(new StreamPartSource(new MemoryStream(new byte[(3 * 1024) + 1]), null), 1024, null, null, maxParts: 3);
        for (var n = 1; n <= 3; n++)
        {
            var part = await reader.NextAsync(buffers, CancellationToken.None);
            Assert.Equal(n, part!.Value.Number);
            part.Value.Buffer.Dispose();
        }

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await reader.NextAsync(buffers, CancellationToken.None));
        Assert.Contains("larger TransferOptions.PartSize (the CLI's --part-size)", error.Message, StringComparison.Ordinal);
        Assert.Contains("longer than 3 parts of 1024 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamOfExactlyTheLimitIsAccepted()
    {
        using var buffers = new PartBufferPool(new CountingArrayPool(), 1);
        using var reader = new PartReader(new StreamPartSource(new MemoryStream(new byte[3 * 1024]), null), 1024, null, null, maxParts: 3);
        var count = 0;
        while (await reader.NextAsync(buffers, CancellationToken.None) is { } part)
        {
            part.Buffer.Dispose();
            count++;
        }

        Assert.Equal(3, count);
    }

    [Fact]
    public void TheDefaultLimitIsCosTenThousandParts() => Assert.Equal(10_000, PartPlan.MaxParts);
}
