using System.Globalization;
using System.Text;
using System.Text.Json;
using VodRaw.Hashing;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Hashing;

public class Crc64Tests
{
    public static TheoryData<string> Ids => Vectors.Ids("crc64");

    public static TheoryData<string> Paths => new(AvailablePaths().Select(p => p.ToString()));

    private static IEnumerable<Crc64Path> AvailablePaths()
    {
        yield return Crc64Path.Slicing8;
        if (Crc64Engine.Pclmul128Supported)
        {
            yield return Crc64Path.Pclmul128;
        }

        if (Crc64Engine.Pclmul256Supported)
        {
            yield return Crc64Path.Pclmul256;
        }

        if (Crc64Engine.Pclmul512Supported)
        {
            yield return Crc64Path.Pclmul512;
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void ReproducesTheVectorOnEveryPath(string id)
    {
        var v = Vectors.Get("crc64", id);
        var data = Generate(v.GetProperty("inputs").GetProperty("generator"));
        Assert.Equal(v.GetProperty("inputs").GetProperty("length").GetInt32(), data.Length);
        var expected = ulong.Parse(v.GetProperty("expected").GetProperty("crc64_decimal").GetString()!, CultureInfo.InvariantCulture);

        Assert.Equal(expected, Crc64.Compute(data));
        foreach (var path in AvailablePaths())
        {
            Assert.Equal(expected, ~Crc64Engine.Update(ulong.MaxValue, data, path));
        }

        Assert.Equal(expected, BitwiseReference(data));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void CombiningTheVectorsPartsGivesTheWholeObject(string id)
    {
        var v = Vectors.Get("crc64", id);
        if (!v.GetProperty("expected").TryGetProperty("parts", out var parts))
        {
            return; // no parts in this vector
        }

        var data = Generate(v.GetProperty("inputs").GetProperty("generator"));
        ulong combined = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var slice = data.AsSpan((int)part.GetProperty("offset").GetInt64(), (int)part.GetProperty("size").GetInt64());
            var partCrc = Crc64.Compute(slice);
            Assert.Equal(ulong.Parse(part.GetProperty("crc64_decimal").GetString()!, CultureInfo.InvariantCulture), partCrc);
            combined = Crc64.Combine(combined, partCrc, slice.Length);
        }

        Assert.Equal(ulong.Parse(v.GetProperty("expected").GetProperty("combined_from_parts_decimal").GetString()!, CultureInfo.InvariantCulture), combined);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryPathEqualsTheBitwiseReferenceOnRandomLengthsAndAlignments(string pathName)
    {
        var path = Enum.Parse<Crc64Path>(pathName);
        var random = new Random(12345 + (int)path);
        var buffer = new byte[20_000];
        random.NextBytes(buffer);
        for (var round = 0; round < 400; round++)
        {
            var offset = random.Next(0, 64);
            var length = round < 300 ? random.Next(0, 1200) : random.Next(0, buffer.Length - 64);
            var slice = buffer.AsSpan(offset, length);
            var seed = (ulong)random.NextInt64();
            Assert.Equal(BitwiseUpdate(seed, slice), Crc64Engine.Update(seed, slice, path));
        }
    }

    [Fact]
    public void CombineOverRandomSplitsEqualsTheWhole()
    {
        var random = new Random(777);
        var data = new byte[300_000];
        random.NextBytes(data);
        var whole = Crc64.Compute(data);
        for (var round = 0; round < 50; round++)
        {
            var cuts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(0, data.Length)).Append(0).Append(data.Length).Distinct().Order().ToArray();
            ulong combined = 0;
            for (var i = 0; i + 1 < cuts.Length; i++)
            {
                var part = data.AsSpan(cuts[i], cuts[i + 1] - cuts[i]);
                combined = Crc64.Combine(combined, Crc64.Compute(part), part.Length);
            }

            Assert.Equal(whole, combined);
        }
    }

    [Fact]
    public void CombineHandlesHugeLengthsConsistently()
    {
        // Combine(a, crc(zeros(n)), n) must equal append-zeros; check via associativity on large virtual lengths.
        var a = Crc64.Compute("abc"u8);
        var zeros1 = Crc64.Compute(new byte[1000]);
        var viaCombine = Crc64.Combine(Crc64.Combine(a, zeros1, 1000), zeros1, 1000);
        Assert.Equal(Crc64.Append(a, new byte[2000]), viaCombine);
        Assert.Equal(a, Crc64.Combine(a, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Crc64.Combine(a, 0, -1));
    }

    [Fact]
    public void IncrementalAppendEqualsOneShot()
    {
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("VodRaw incremental CRC ", 500)));
        var crc = new Crc64();
        var random = new Random(3);
        var position = 0;
        while (position < data.Length)
        {
            var n = Math.Min(random.Next(1, 700), data.Length - position);
            crc.Append(data.AsSpan(position, n));
            position += n;
        }

        Assert.Equal(Crc64.Compute(data), crc.Value);
        Assert.Equal(data.Length, crc.Length);
        Assert.Equal("11051210869376104954", Crc64.ToHeaderValue(Crc64.Compute("123456789"u8)));
    }

    internal static byte[] Generate(JsonElement generator)
    {
        if (generator.TryGetProperty("ascii", out var ascii))
        {
            return Encoding.ASCII.GetBytes(ascii.GetString()!);
        }

        if (generator.TryGetProperty("zeros", out var zeros))
        {
            return new byte[zeros.GetInt32()];
        }

        var modulo = generator.GetProperty("modulo_pattern").GetInt32();
        var data = new byte[generator.GetProperty("length").GetInt32()];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i % modulo);
        }

        return data;
    }

    /// <summary>Bit-at-a-time CRC-64/XZ straight from the definition.</summary>
    private static ulong BitwiseReference(ReadOnlySpan<byte> data) => ~BitwiseUpdate(ulong.MaxValue, data);

    private static ulong BitwiseUpdate(ulong register, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            register ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                register = (register & 1) != 0 ? (register >> 1) ^ 0xC96C5795D7870F42 : register >> 1;
            }
        }

        return register;
    }
}
