using System.Security.Cryptography;

namespace VodRaw.Signing;

/// <summary>
/// Per-thread reusable hash contexts. A one-shot <c>HashData</c> builds and frees a native context on every call,
/// which costs more than hashing the few hundred bytes a signature covers; a reset context is reused instead.
/// Keyed HMAC contexts are reused while the key (by reference) stays the same.
/// </summary>
internal static class ThreadHashes
{
    [ThreadStatic]
    private static IncrementalHash? t_sha1;

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    [ThreadStatic]
    private static KeyedMac? t_hmacSha1;

    [ThreadStatic]
    private static KeyedMac? t_hmacSha256;

    public static void Sha1(ReadOnlySpan<byte> data, Span<byte> destination) =>
        Hash(ref t_sha1, HashAlgorithmName.SHA1, data, destination);

    public static void Sha256(ReadOnlySpan<byte> data, Span<byte> destination) =>
        Hash(ref t_sha256, HashAlgorithmName.SHA256, data, destination);

    /// <summary>HMAC-SHA1 with a key array that callers keep alive and never mutate (it identifies the cached context).</summary>
    public static void HmacSha1(byte[] key, ReadOnlySpan<byte> data, Span<byte> destination) =>
        Mac(ref t_hmacSha1, HashAlgorithmName.SHA1, key, data, destination);

    /// <summary>HMAC-SHA256 with a key array that callers keep alive and never mutate.</summary>
    public static void HmacSha256(byte[] key, ReadOnlySpan<byte> data, Span<byte> destination) =>
        Mac(ref t_hmacSha256, HashAlgorithmName.SHA256, key, data, destination);

    private static void Hash(ref IncrementalHash? slot, HashAlgorithmName algorithm, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hash = slot ??= IncrementalHash.CreateHash(algorithm);
        hash.AppendData(data);
        if (!hash.TryGetHashAndReset(destination, out _))
        {
            throw new ArgumentException("Destination too small.", nameof(destination));
        }
    }

    private static void Mac(ref KeyedMac? slot, HashAlgorithmName algorithm, byte[] key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var entry = slot;
        if (entry is null || !ReferenceEquals(entry.Key, key))
        {
            entry?.Mac.Dispose();
            entry = slot = new KeyedMac(key, IncrementalHash.CreateHMAC(algorithm, key));
        }

        entry.Mac.AppendData(data);
        if (!entry.Mac.TryGetHashAndReset(destination, out _))
        {
            throw new ArgumentException("Destination too small.", nameof(destination));
        }
    }

    private sealed record KeyedMac(byte[] Key, IncrementalHash Mac);
}
