namespace VodRaw;

/// <summary>Shortens identifiers for diagnostics; secrets never reach here.</summary>
internal static class Redaction
{
    /// <summary>Keeps the first 4 and last 2 characters of a SecretId so logs can tell keys apart.</summary>
    public static string MaskId(string id) =>
        id.Length <= 8 ? "***" : string.Concat(id.AsSpan(0, 4), "***", id.AsSpan(id.Length - 2));
}
