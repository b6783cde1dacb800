namespace VodRaw;

/// <summary>
/// A Tencent Cloud API key pair (SecretId and SecretKey), optionally with the session token of a temporary (STS)
/// credential. The secret parts are never exposed through <see cref="ToString"/> or any exception message.
/// </summary>
public sealed class VodCredential : IVodCredentialProvider
{
    /// <summary>Creates a credential.</summary>
    /// <param name="secretId">The API key ID (for example <c>AKID...</c>).</param>
    /// <param name="secretKey">The API key secret. It is only used to compute signatures.</param>
    /// <param name="token">The session token of a temporary credential, or <see langword="null"/> for a permanent key.</param>
    /// <exception cref="ArgumentException">An argument is empty or contains a line break or other control character.</exception>
    public VodCredential(string secretId, string secretKey, string? token = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretId);
        ArgumentException.ThrowIfNullOrEmpty(secretKey);
        ThrowIfControl(secretId, nameof(secretId));
        ThrowIfControl(secretKey, nameof(secretKey));
        if (token is not null)
        {
            if (token.Length == 0)
            {
                token = null;
            }
            else
            {
                ThrowIfControl(token, nameof(token));
            }
        }

        SecretId = secretId;
        SecretKey = secretKey;
        Token = token;
    }

    /// <summary>The API key ID. It is not secret and appears in every Authorization header.</summary>
    public string SecretId { get; }

    /// <summary>Whether this credential carries a session token (a temporary credential).</summary>
    public bool IsTemporary => Token is not null;

    internal string SecretKey { get; }

    internal string? Token { get; }

    /// <summary>A fixed credential is its own provider.</summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>This credential.</returns>
    ValueTask<VodCredential> IVodCredentialProvider.GetCredentialAsync(CancellationToken cancellationToken) => ValueTask.FromResult(this);

    /// <summary>Describes the credential without revealing its secret key or token.</summary>
    public override string ToString() =>
        $"VodCredential {{ SecretId = {Redaction.MaskId(SecretId)}, SecretKey = ***, Token = {(Token is null ? "none" : "***")} }}";

    private static void ThrowIfControl(string value, string paramName)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                // The value itself is deliberately not part of the message.
                throw new ArgumentException("The value contains a control character (for example a line break).", paramName);
            }
        }
    }
}
