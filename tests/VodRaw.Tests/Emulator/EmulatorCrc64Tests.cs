using System.Globalization;
using VodRaw.Emulator;
using VodRaw.Tests.Hashing;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

/// <summary>The emulator's own CRC-64 (no code shared with the library's) against the spec's vectors.</summary>
public class EmulatorCrc64Tests
{
    public static TheoryData<string> Ids => Vectors.Ids("crc64");

    [Theory]
    [MemberData(nameof(Ids))]
    public void ReproducesTheVectorAndCombinesItsParts(string id)
    {
        var v = Vectors.Get("crc64", id);
        var data = Crc64Tests.Generate(v.GetProperty("inputs").GetProperty("generator"));
        var expected = v.GetProperty("expected");
        Assert.Equal(ulong.Parse(expected.GetProperty("crc64_decimal").GetString()!, CultureInfo.InvariantCulture), EmulatorCrc64.Of(data));
        if (!expected.TryGetProperty("parts", out var parts))
        {
            return;
        }

        ulong combined = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var slice = data.AsSpan((int)part.GetProperty("offset").GetInt64(), (int)part.GetProperty("size").GetInt64());
            combined = EmulatorCrc64.Combine(combined, EmulatorCrc64.Of(slice), slice.Length);
        }

        Assert.Equal(ulong.Parse(expected.GetProperty("combined_from_parts_decimal").GetString()!, CultureInfo.InvariantCulture), combined);
    }

    [Fact]
    public void AgreesWithTheLibraryOnRandomSplitsAndLengths()
    {
        var random = new Random(2026);
        var data = new byte[50_000];
        random.NextBytes(data);
        for (var round = 0; round < 200; round++)
        {
            var length = random.Next(0, data.Length);
            var split = random.Next(0, length + 1);
            var whole = data.AsSpan(0, length);
            var incremental = new EmulatorCrc64();
            incremental.Append(whole[..split]);
            incremental.Append(whole[split..]);
            Assert.Equal(VodRaw.Hashing.Crc64.Compute(whole), incremental.Value);
            Assert.Equal(incremental.Value, EmulatorCrc64.Combine(EmulatorCrc64.Of(whole[..split]), EmulatorCrc64.Of(whole[split..]), length - split));
        }
    }
}
