namespace VodRaw.Emulator;

/// <summary>
/// COS's CRC-64 (ECMA-182 polynomial, reflected, initial value and final XOR all ones: CRC-64/XZ), the emulator's
/// own: it checks what clients compute, so it shares no code with the library's. Slicing by 8 for ingest speed, and
/// the GF(2) operator method for combining the CRCs of consecutive parts at Complete.
/// </summary>
internal sealed class EmulatorCrc64
{
    /// <summary>0x42F0E1EBA9EA3693 reflected.</summary>
    private const ulong Polynomial = 0xC96C5795D7870F42;

    private static readonly ulong[][] Tables = BuildTables();

    private ulong _register = ulong.MaxValue;

    /// <summary>The CRC of everything appended so far.</summary>
    public ulong Value => ~_register;

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _register;
        var t = Tables;
        while (data.Length >= 8)
        {
            crc ^= BitConverter.ToUInt64(data);
            crc = t[7][crc & 0xFF] ^ t[6][(crc >> 8) & 0xFF] ^ t[5][(crc >> 16) & 0xFF] ^ t[4][(crc >> 24) & 0xFF]
                ^ t[3][(crc >> 32) & 0xFF] ^ t[2][(crc >> 40) & 0xFF] ^ t[1][(crc >> 48) & 0xFF] ^ t[0][crc >> 56];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = t[0][(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        _register = crc;
    }

    public static ulong Of(ReadOnlySpan<byte> data)
    {
        var crc = new EmulatorCrc64();
        crc.Append(data);
        return crc.Value;
    }

    /// <summary>The CRC of A followed by B, from CRC(A), CRC(B) and B's length (zlib's crc32_combine, in 64 bits).</summary>
    public static ulong Combine(ulong crcA, ulong crcB, long lengthB)
    {
        if (lengthB <= 0)
        {
            return crcA;
        }

        // odd: the operator that feeds one zero bit through the register; squaring doubles the zeros it feeds.
        var odd = new ulong[64];
        var even = new ulong[64];
        odd[0] = Polynomial;
        for (var n = 1; n < 64; n++)
        {
            odd[n] = 1UL << (n - 1);
        }

        Square(even, odd); // two zero bits
        Square(odd, even); // four
        do
        {
            Square(even, odd); // eight, sixteen, ... zero bits: one byte on the first pass
            if ((lengthB & 1) != 0)
            {
                crcA = Times(even, crcA);
            }

            lengthB >>= 1;
            if (lengthB == 0)
            {
                break;
            }

            Square(odd, even);
            if ((lengthB & 1) != 0)
            {
                crcA = Times(odd, crcA);
            }

            lengthB >>= 1;
        }
        while (lengthB != 0);

        return crcA ^ crcB;
    }

    private static ulong Times(ulong[] matrix, ulong vector)
    {
        ulong sum = 0;
        for (var i = 0; vector != 0; i++, vector >>= 1)
        {
            if ((vector & 1) != 0)
            {
                sum ^= matrix[i];
            }
        }

        return sum;
    }

    private static void Square(ulong[] square, ulong[] matrix)
    {
        for (var n = 0; n < 64; n++)
        {
            square[n] = Times(matrix, matrix[n]);
        }
    }

    private static ulong[][] BuildTables()
    {
        var tables = new ulong[8][];
        tables[0] = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            tables[0][i] = crc;
        }

        for (var k = 1; k < 8; k++)
        {
            tables[k] = new ulong[256];
            for (var i = 0; i < 256; i++)
            {
                tables[k][i] = (tables[k - 1][i] >> 8) ^ tables[0][tables[k - 1][i] & 0xFF];
            }
        }

        return tables;
    }
}
