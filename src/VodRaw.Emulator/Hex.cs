namespace VodRaw.Emulator;

/// <summary>Lower-case hex, on net8.0 as on net10.0 (Convert.ToHexStringLower is .NET 9+).</summary>
internal static class Hex
{
    public static string Lower(ReadOnlySpan<byte> bytes) =>
#if NET9_0_OR_GREATER
        Convert.ToHexStringLower(bytes);
#else
        Convert.ToHexString(bytes).ToLowerInvariant();
#endif
}
