using BenchmarkDotNet.Attributes;
using VodRaw.Hashing;

namespace VodRaw.Benchmarks;

/// <summary>CRC-64/XZ throughput: slicing-by-8 (baseline) vs the dispatching implementation, per buffer size.</summary>
[MemoryDiagnoser]
public class Crc64Benchmarks
{
    private byte[] _data = [];

    [Params(64 * 1024, 1024 * 1024, 8 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(42).NextBytes(_data);
    }

    [Benchmark(Baseline = true)]
    public ulong Slicing8() => Crc64Engine.Update(ulong.MaxValue, _data, Crc64Path.Slicing8);

    [Benchmark]
    public ulong Pclmul128() => Crc64Engine.Update(ulong.MaxValue, _data, Crc64Path.Pclmul128);

    [Benchmark]
    public ulong Pclmul256() => Crc64Engine.Update(ulong.MaxValue, _data, Crc64Path.Pclmul256);

    [Benchmark]
    public ulong VodRaw() => Crc64.Compute(_data);
}

/// <summary>Cost of composing two part CRCs (done once per part).</summary>
[MemoryDiagnoser]
public class Crc64CombineBenchmarks
{
    [Params(8L * 1024 * 1024, 5_000_000_123L)]
    public long LengthB { get; set; }

    [Benchmark]
    public ulong Combine() => Crc64.Combine(0x1234_5678_9ABC_DEF0, 0x0FED_CBA9_8765_4321, LengthB);
}
