using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VodRaw.Hashing;

/// <summary>Which CRC-64 implementation runs; tests force each one and compare them with a bit-at-a-time reference.</summary>
internal enum Crc64Path
{
    Auto,
    Slicing8,
    Pclmul128,
    Pclmul256,
    Pclmul512,
}

/// <summary>
/// The raw CRC-64/XZ register update (no initial value or final XOR; callers invert). Register bit i holds the
/// coefficient of x^(63-i) (reflected). Folding constants are derived from the polynomial at start-up, not typed in.
/// </summary>
internal static class Crc64Engine
{
    /// <summary>ECMA-182 polynomial without the x^64 term.</summary>
    internal const ulong Polynomial = 0x42F0E1EBA9EA3693;

    /// <summary>The same polynomial bit-reversed, for LSB-first tables.</summary>
    internal const ulong ReflectedPolynomial = 0xC96C5795D7870F42;

    private static readonly ulong[] Tables = BuildTables();

    // Fold constants: folding a 128-bit lane forward by D bits multiplies its high-degree half (the lane's low qword)
    // by x^(D+63) and its low-degree half by x^(D-1) modulo P; the -1 absorbs the one-bit shift of a reflected
    // carry-less product.
    private static readonly Vector128<ulong> Fold128 = FoldConstants(128);
    private static readonly Vector128<ulong> Fold512 = FoldConstants(512);
    private static readonly Vector256<ulong> Fold1024 = Vector256.Create(FoldConstants(1024), FoldConstants(1024));
    private static readonly Vector512<ulong> Fold2048 = FourLanes(FoldConstants(2048));

    // ZeroPowers[k] = x^(8*2^k - 1) mod P, reflected: multiplying a register by it (carry-less, reduced) advances the
    // register over 2^k zero bytes.
    private static readonly ulong[] ZeroPowers = BuildZeroPowers();

    /// <summary>True when the 128-bit carry-less multiply path can run.</summary>
    public static bool Pclmul128Supported => Pclmulqdq.IsSupported && Sse2.IsSupported;

    /// <summary>True when the 256-bit VPCLMULQDQ path can run (.NET 9+ exposes it).</summary>
    public static bool Pclmul256Supported
    {
        get
        {
#if NET9_0_OR_GREATER
            return Pclmulqdq.V256.IsSupported && Avx2.IsSupported;
#else
            return false;
#endif
        }
    }

    /// <summary>
    /// True when the 512-bit VPCLMULQDQ path can run and the runtime accelerates 512-bit vectors (it declines on CPUs
    /// whose clock drops under 512-bit work, and DOTNET_PreferredVectorBitWidth=256 turns it off).
    /// </summary>
    public static bool Pclmul512Supported
    {
        get
        {
#if NET9_0_OR_GREATER
            return Pclmulqdq.V512.IsSupported && Avx512F.IsSupported && Vector512.IsHardwareAccelerated;
#else
            return false;
#endif
        }
    }

    public static ulong Update(ulong register, ReadOnlySpan<byte> data) => Update(register, data, Crc64Path.Auto);

    public static ulong Update(ulong register, ReadOnlySpan<byte> data, Crc64Path path)
    {
        if (path == Crc64Path.Auto)
        {
            path = Pclmul512Supported ? Crc64Path.Pclmul512
                : Pclmul256Supported ? Crc64Path.Pclmul256
                : Pclmul128Supported ? Crc64Path.Pclmul128
                : Crc64Path.Slicing8;
        }

#if NET9_0_OR_GREATER
        if (path == Crc64Path.Pclmul512 && data.Length >= 256)
        {
            if (!Pclmul512Supported)
            {
                throw new PlatformNotSupportedException("512-bit VPCLMULQDQ is not available.");
            }

            var consumed = FoldVector512(ref register, data);
            data = data[consumed..];
        }

        if (path == Crc64Path.Pclmul256 && data.Length >= 256)
        {
            if (!Pclmul256Supported)
            {
                throw new PlatformNotSupportedException("VPCLMULQDQ is not available.");
            }

            var consumed = FoldVector256(ref register, data);
            data = data[consumed..];
        }
#else
        if (path is Crc64Path.Pclmul256 or Crc64Path.Pclmul512)
        {
            throw new PlatformNotSupportedException("The 256- and 512-bit paths need .NET 9 or later.");
        }
#endif

        if (path is Crc64Path.Pclmul128 or Crc64Path.Pclmul256 or Crc64Path.Pclmul512 && data.Length >= 64)
        {
            if (!Pclmul128Supported)
            {
                throw new PlatformNotSupportedException("PCLMULQDQ is not available.");
            }

            var consumed = FoldVector128(ref register, data);
            data = data[consumed..];
        }

        return UpdateSlicing8(register, data);
    }

    /// <summary>Advances a register over <paramref name="count"/> zero bytes: r * x^(8*count) mod P.</summary>
    public static ulong ShiftByZeroBytes(ulong register, long count)
    {
        var bit = 0;
        while (count != 0 && register != 0)
        {
            if ((count & 1) != 0)
            {
                register = MultiplyModP(register, ZeroPowers[bit]);
            }

            count >>= 1;
            bit++;
        }

        return register;
    }

    internal static ulong UpdateSlicing8(ulong crc, ReadOnlySpan<byte> data)
    {
        ref var t = ref MemoryMarshal.GetArrayDataReference(Tables);
        while (data.Length >= 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = Unsafe.Add(ref t, (7 * 256) + (int)(crc & 0xFF))
                ^ Unsafe.Add(ref t, (6 * 256) + (int)((crc >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, (5 * 256) + (int)((crc >> 16) & 0xFF))
                ^ Unsafe.Add(ref t, (4 * 256) + (int)((crc >> 24) & 0xFF))
                ^ Unsafe.Add(ref t, (3 * 256) + (int)((crc >> 32) & 0xFF))
                ^ Unsafe.Add(ref t, (2 * 256) + (int)((crc >> 40) & 0xFF))
                ^ Unsafe.Add(ref t, 256 + (int)((crc >> 48) & 0xFF))
                ^ Unsafe.Add(ref t, (int)(crc >> 56));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = Unsafe.Add(ref t, (int)((crc ^ b) & 0xFF)) ^ (crc >> 8);
        }

        return crc;
    }

    /// <summary>Folds 64-byte blocks with four 128-bit accumulators; returns the bytes consumed (a multiple of 16).</summary>
    private static int FoldVector128(ref ulong register, ReadOnlySpan<byte> data)
    {
        ref var p = ref MemoryMarshal.GetReference(data);
        var x0 = Load128(ref p, 0) ^ Vector128.CreateScalar(register);
        var x1 = Load128(ref p, 16);
        var x2 = Load128(ref p, 32);
        var x3 = Load128(ref p, 48);
        nuint offset = 64;
        var length = (nuint)data.Length;
        var k512 = Fold512;
        while (length - offset >= 64)
        {
            x0 = Fold(x0, k512) ^ Load128(ref p, offset);
            x1 = Fold(x1, k512) ^ Load128(ref p, offset + 16);
            x2 = Fold(x2, k512) ^ Load128(ref p, offset + 32);
            x3 = Fold(x3, k512) ^ Load128(ref p, offset + 48);
            offset += 64;
        }

        var k128 = Fold128;
        var x = Fold(x0, k128) ^ x1;
        x = Fold(x, k128) ^ x2;
        x = Fold(x, k128) ^ x3;
        while (length - offset >= 16)
        {
            x = Fold(x, k128) ^ Load128(ref p, offset);
            offset += 16;
        }

        register = Reduce128(x);
        return (int)offset;
    }

#if NET9_0_OR_GREATER
    /// <summary>Folds 128-byte blocks with four 256-bit accumulators (each two 128-bit lanes).</summary>
    private static int FoldVector256(ref ulong register, ReadOnlySpan<byte> data)
    {
        ref var p = ref MemoryMarshal.GetReference(data);
        var y0 = Load256(ref p, 0) ^ Vector256.CreateScalar(register);
        var y1 = Load256(ref p, 32);
        var y2 = Load256(ref p, 64);
        var y3 = Load256(ref p, 96);
        nuint offset = 128;
        var length = (nuint)data.Length;
        var k = Fold1024;
        while (length - offset >= 128)
        {
            y0 = Fold(y0, k) ^ Load256(ref p, offset);
            y1 = Fold(y1, k) ^ Load256(ref p, offset + 32);
            y2 = Fold(y2, k) ^ Load256(ref p, offset + 64);
            y3 = Fold(y3, k) ^ Load256(ref p, offset + 96);
            offset += 128;
        }

        // Eight 128-bit lanes in stream order, folded into one.
        var k128 = Fold128;
        var x = Fold(y0.GetLower(), k128) ^ y0.GetUpper();
        x = Fold(x, k128) ^ y1.GetLower();
        x = Fold(x, k128) ^ y1.GetUpper();
        x = Fold(x, k128) ^ y2.GetLower();
        x = Fold(x, k128) ^ y2.GetUpper();
        x = Fold(x, k128) ^ y3.GetLower();
        x = Fold(x, k128) ^ y3.GetUpper();
        while (length - offset >= 16)
        {
            x = Fold(x, k128) ^ Load128(ref p, offset);
            offset += 16;
        }

        register = Reduce128(x);
        return (int)offset;
    }

    /// <summary>
    /// Folds 256-byte blocks with four 512-bit accumulators (each four 128-bit lanes): twice the 256-bit path's
    /// throughput where 512-bit carry-less multiplies issue at full width (benchmarks/README.md, CRC-64).
    /// </summary>
    private static int FoldVector512(ref ulong register, ReadOnlySpan<byte> data)
    {
        ref var p = ref MemoryMarshal.GetReference(data);
        var z0 = Load512(ref p, 0) ^ Vector512.CreateScalar(register);
        var z1 = Load512(ref p, 64);
        var z2 = Load512(ref p, 128);
        var z3 = Load512(ref p, 192);
        nuint offset = 256;
        var length = (nuint)data.Length;
        var k = Fold2048;
        while (length - offset >= 256)
        {
            z0 = Fold(z0, k) ^ Load512(ref p, offset);
            z1 = Fold(z1, k) ^ Load512(ref p, offset + 64);
            z2 = Fold(z2, k) ^ Load512(ref p, offset + 128);
            z3 = Fold(z3, k) ^ Load512(ref p, offset + 192);
            offset += 256;
        }

        // Sixteen 128-bit lanes in stream order, folded into one.
        var k128 = Fold128;
        var x = FoldLanes(z0.GetLower().GetLower(), z0, k128, first: 1);
        x = FoldLanes(x, z1, k128, first: 0);
        x = FoldLanes(x, z2, k128, first: 0);
        x = FoldLanes(x, z3, k128, first: 0);
        while (length - offset >= 16)
        {
            x = Fold(x, k128) ^ Load128(ref p, offset);
            offset += 16;
        }

        register = Reduce128(x);
        return (int)offset;
    }

    /// <summary>Folds lanes <paramref name="first"/>..3 of <paramref name="z"/> into <paramref name="x"/>, in stream order.</summary>
    private static Vector128<ulong> FoldLanes(Vector128<ulong> x, Vector512<ulong> z, Vector128<ulong> k128, int first)
    {
        for (var lane = first; lane < 4; lane++)
        {
            var half = lane < 2 ? z.GetLower() : z.GetUpper();
            x = Fold(x, k128) ^ ((lane & 1) == 0 ? half.GetLower() : half.GetUpper());
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Fold(Vector512<ulong> x, Vector512<ulong> k) =>
        Pclmulqdq.V512.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(x, k, 0x11);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Load512(ref byte p, nuint offset) => Vector512.LoadUnsafe(ref p, offset).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Fold(Vector256<ulong> x, Vector256<ulong> k) =>
        Pclmulqdq.V256.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.V256.CarrylessMultiply(x, k, 0x11);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Load256(ref byte p, nuint offset) => Vector256.LoadUnsafe(ref p, offset).AsUInt64();
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> k) =>
        Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load128(ref byte p, nuint offset) => Vector128.LoadUnsafe(ref p, offset).AsUInt64();

    /// <summary>
    /// The register after a folded 128-bit remainder X: the CRC of its 16 bytes from a zero register, which is
    /// (X mod P) * x^64 mod P, two slicing steps over zero bytes.
    /// </summary>
    private static ulong Reduce128(Vector128<ulong> x) => ReduceProduct(ReduceProduct(x.ToScalar(), x.GetElement(1)), 0);

    /// <summary>(lo * x^64 + hi) mod P for a reflected 128-bit value, via one slicing-by-8 step over 8 zero bytes.</summary>
    private static ulong ReduceProduct(ulong lo, ulong hi)
    {
        ref var t = ref MemoryMarshal.GetArrayDataReference(Tables);
        var r = Unsafe.Add(ref t, (7 * 256) + (int)(lo & 0xFF))
            ^ Unsafe.Add(ref t, (6 * 256) + (int)((lo >> 8) & 0xFF))
            ^ Unsafe.Add(ref t, (5 * 256) + (int)((lo >> 16) & 0xFF))
            ^ Unsafe.Add(ref t, (4 * 256) + (int)((lo >> 24) & 0xFF))
            ^ Unsafe.Add(ref t, (3 * 256) + (int)((lo >> 32) & 0xFF))
            ^ Unsafe.Add(ref t, (2 * 256) + (int)((lo >> 40) & 0xFF))
            ^ Unsafe.Add(ref t, 256 + (int)((lo >> 48) & 0xFF))
            ^ Unsafe.Add(ref t, (int)(lo >> 56));
        return r ^ hi;
    }

    /// <summary>Reflected a * b * x mod P (the extra x is what the stored powers compensate for).</summary>
    private static ulong MultiplyModP(ulong a, ulong b)
    {
        if (Pclmul128Supported)
        {
            var product = Pclmulqdq.CarrylessMultiply(Vector128.CreateScalar(a), Vector128.CreateScalar(b), 0x00);
            return ReduceProduct(product.ToScalar(), product.GetElement(1));
        }

        // Software carry-less multiply with the same bit layout as PCLMULQDQ.
        ulong lo = 0, hi = 0;
        while (b != 0)
        {
            var i = BitOperations.TrailingZeroCount(b);
            lo ^= a << i;
            if (i != 0)
            {
                hi ^= a >> (64 - i);
            }

            b &= b - 1;
        }

        return ReduceProduct(lo, hi);
    }

    /// <summary>The constants that fold a 128-bit lane forward by <paramref name="bits"/> bits.</summary>
    private static Vector128<ulong> FoldConstants(int bits) => Vector128.Create(Reflected(XPowModP(bits + 63)), Reflected(XPowModP(bits - 1)));

    private static Vector512<ulong> FourLanes(Vector128<ulong> lane) => Vector512.Create(Vector256.Create(lane, lane), Vector256.Create(lane, lane));

    /// <summary>x^n mod P in the normal (non-reflected) bit order.</summary>
    internal static ulong XPowModP(int n)
    {
        ulong v = 1;
        for (var i = 0; i < n; i++)
        {
            var carry = v >> 63;
            v <<= 1;
            if (carry != 0)
            {
                v ^= Polynomial;
            }
        }

        return v;
    }

    internal static ulong Reflected(ulong v)
    {
        ulong r = 0;
        for (var i = 0; i < 64; i++)
        {
            r = (r << 1) | ((v >> i) & 1);
        }

        return r;
    }

    private static ulong[] BuildZeroPowers()
    {
        var powers = new ulong[63];
        var normal = XPowModP(7); // x^(8*2^0 - 1)
        for (var k = 0; k < powers.Length; k++)
        {
            powers[k] = Reflected(normal);
            // x^(8*2^(k+1) - 1) = (x^(8*2^k - 1))^2 * x
            normal = MulNormal(MulNormal(normal, normal), 2);
        }

        return powers;
    }

    private static ulong MulNormal(ulong a, ulong b)
    {
        // Normal-order multiply mod P, bit by bit (start-up only).
        ulong result = 0;
        for (var i = 63; i >= 0; i--)
        {
            var carry = result >> 63;
            result <<= 1;
            if (carry != 0)
            {
                result ^= Polynomial;
            }

            if (((b >> i) & 1) != 0)
            {
                result ^= a;
            }
        }

        return result;
    }

    private static ulong[] BuildTables()
    {
        var tables = new ulong[8 * 256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            }

            tables[i] = crc;
        }

        for (var i = 0; i < 256; i++)
        {
            var crc = tables[i];
            for (var k = 1; k < 8; k++)
            {
                crc = tables[(int)(crc & 0xFF)] ^ (crc >> 8);
                tables[(k * 256) + i] = crc;
            }
        }

        return tables;
    }
}
