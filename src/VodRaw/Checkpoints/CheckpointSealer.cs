using System.Security.Cryptography;
using System.Text;

namespace VodRaw.Checkpoints;

/// <summary>
/// Seals the temporary SecretKey and Token of a checkpoint with AES-256-GCM under a key derived (HKDF-SHA256) from
/// the caller's own VOD SecretKey, bound to the checkpoint's id and the temporary SecretId: a copied checkpoint is
/// useless without the caller's key, and a sealed value moved to another checkpoint does not open. Pure functions.
/// </summary>
internal static class CheckpointSealer
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Salt = "VodRaw checkpoint v1"u8.ToArray();

    /// <summary>Base64 of nonce ‖ ciphertext ‖ tag. The nonce is random (one key per checkpoint id, few seals).</summary>
    public static string Seal(string callerSecretKey, string checkpointId, string tempSecretId, ReadOnlySpan<byte> plaintext)
    {
        var key = DeriveKey(callerSecretKey, checkpointId);
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), Aad(checkpointId, tempSecretId));
        CryptographicOperations.ZeroMemory(key);
        return Convert.ToBase64String(output);
    }

    /// <summary>The plaintext, or null when the value does not open (another caller's key, tampered, or not base64).</summary>
    public static byte[]? Open(string callerSecretKey, string checkpointId, string tempSecretId, string sealedValue)
    {
        byte[] input;
        try
        {
            input = Convert.FromBase64String(sealedValue);
        }
        catch (FormatException)
        {
            return null;
        }

        if (input.Length < NonceSize + TagSize)
        {
            return null;
        }

        var key = DeriveKey(callerSecretKey, checkpointId);
        var plaintext = new byte[input.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize, plaintext.Length), input.AsSpan(NonceSize + plaintext.Length), plaintext, Aad(checkpointId, tempSecretId));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    internal static byte[] DeriveKey(string callerSecretKey, string checkpointId) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(callerSecretKey), 32, Salt, Encoding.UTF8.GetBytes("key " + checkpointId));

    private static byte[] Aad(string checkpointId, string tempSecretId) => Encoding.UTF8.GetBytes(checkpointId + "\n" + tempSecretId);
}
