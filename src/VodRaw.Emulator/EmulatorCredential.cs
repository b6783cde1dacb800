namespace VodRaw.Emulator;

/// <summary>An API key the emulator accepts. The values are throwaway test keys generated per emulator instance.</summary>
/// <param name="SecretId">The key ID.</param>
/// <param name="SecretKey">The key secret.</param>
/// <param name="Token">The session token when this is a temporary credential.</param>
public sealed record EmulatorCredential(string SecretId, string SecretKey, string? Token = null)
{
    /// <summary>Describes the credential without its secret parts.</summary>
    public override string ToString() => $"EmulatorCredential {{ SecretId = {SecretId}, SecretKey = ***, Token = {(Token is null ? "none" : "***")} }}";

    /// <summary>The same key as VodRaw's credential type.</summary>
    public VodCredential ToVodCredential() => new(SecretId, SecretKey, Token);

    /// <summary>The same key as VodRaw's credential type.</summary>
    public static implicit operator VodCredential(EmulatorCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return credential.ToVodCredential();
    }

    internal static EmulatorCredential Generate(string prefix, bool temporary) => new(
        prefix + Random(24, upper: true),
        Random(32, upper: false),
        temporary ? Random(48, upper: false) : null);

    private static string Random(int length, bool upper)
    {
        var alphabet = upper ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return System.Security.Cryptography.RandomNumberGenerator.GetString(alphabet, length);
    }
}
