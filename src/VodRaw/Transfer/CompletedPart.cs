namespace VodRaw.Transfer;

/// <summary>A part COS confirmed: what Complete needs, and what a resumed upload can skip.</summary>
/// <param name="PartNumber">1-based part number.</param>
/// <param name="ETag">The quoted ETag COS returned.</param>
/// <param name="Size">Bytes in the part.</param>
/// <param name="Crc64">CRC-64 of the part's bytes.</param>
internal readonly record struct CompletedPart(int PartNumber, string ETag, long Size, ulong Crc64);
