namespace VodRaw.Hashing;

/// <summary>
/// CRC-64 exactly as COS reports it in <c>x-cos-hash-crc64ecma</c>: CRC-64/XZ (ECMA-182 polynomial, reflected,
/// initial value and final XOR all ones; check value of "123456789" is 0x995DC9BBDF1939FA). Uses carry-less
/// multiplication (PCLMULQDQ, and 256-bit VPCLMULQDQ on .NET 9+) where the CPU has it, slicing-by-8 otherwise.
/// </summary>
/// <remarks>
/// This is not <c>System.IO.Hashing.Crc64</c>, which implements the non-reflected ECMA-182 variant. Instances are not
/// thread-safe; the static members are.
/// </remarks>
internal sealed class Crc64
{
    private ulong _value;

    /// <summary>The CRC of everything appended so far (0 for nothing).</summary>
    public ulong Value => _value;

    /// <summary>How many bytes have been appended.</summary>
    public long Length { get; private set; }

    /// <summary>Appends bytes to the running CRC.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _value = Append(_value, data);
        Length += data.Length;
    }

    /// <summary>Forgets everything appended.</summary>
    public void Reset()
    {
        _value = 0;
        Length = 0;
    }

    /// <summary>The CRC-64 of <paramref name="data"/>.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues <paramref name="crc"/> (the CRC of some prefix) over <paramref name="data"/>.</summary>
    public static ulong Append(ulong crc, ReadOnlySpan<byte> data) => ~Crc64Engine.Update(~crc, data);

    /// <summary>
    /// The CRC of A followed by B, from the CRC of A, the CRC of B and the length of B, without the data: this is how
    /// part CRCs computed in parallel compose into the object's CRC.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lengthB"/> is negative.</exception>
    public static ulong Combine(ulong crcA, ulong crcB, long lengthB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lengthB);
        return Crc64Engine.ShiftByZeroBytes(crcA, lengthB) ^ crcB;
    }

    /// <summary>Formats a CRC the way COS sends it: decimal text of the unsigned value.</summary>
    public static string ToHeaderValue(ulong crc) => crc.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
