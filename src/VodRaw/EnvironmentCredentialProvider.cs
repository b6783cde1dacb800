namespace VodRaw;

/// <summary>
/// The credential in the environment, read on every call (so a rotated value is picked up):
/// <c>TENCENTCLOUD_SECRET_ID</c>, <c>TENCENTCLOUD_SECRET_KEY</c> and, for a temporary credential,
/// <c>TENCENTCLOUD_SESSION_TOKEN</c> — the names Tencent's SDKs and tccli use.
/// </summary>
public sealed class EnvironmentCredentialProvider : IVodCredentialProvider
{
    /// <summary>The SecretId variable.</summary>
    public const string SecretIdVariable = "TENCENTCLOUD_SECRET_ID";

    /// <summary>The SecretKey variable.</summary>
    public const string SecretKeyVariable = "TENCENTCLOUD_SECRET_KEY";

    /// <summary>The session token variable (temporary credentials only).</summary>
    public const string TokenVariable = "TENCENTCLOUD_SESSION_TOKEN";

    private readonly Func<string, string?> _variable;
    private VodCredential? _last;

    /// <summary>Reads the process environment.</summary>
    public EnvironmentCredentialProvider()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>Reads variables through <paramref name="variable"/> (for tests and hosts with their own environment).</summary>
    /// <param name="variable">Returns a variable's value, or null.</param>
    public EnvironmentCredentialProvider(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        _variable = variable;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The SecretId or SecretKey variable is not set (the message names them, never a value).</exception>
    public ValueTask<VodCredential> GetCredentialAsync(CancellationToken cancellationToken)
    {
        var id = _variable(SecretIdVariable);
        var key = _variable(SecretKeyVariable);
        var token = _variable(TokenVariable);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(key))
        {
            throw new InvalidOperationException($"No credential in the environment: set {SecretIdVariable} and {SecretKeyVariable} (and {TokenVariable} for a temporary credential).");
        }

        var last = _last;
        if (last is not null && last.SecretId == id && last.SecretKey == key && last.Token == (string.IsNullOrEmpty(token) ? null : token))
        {
            return ValueTask.FromResult(last);
        }

        var credential = new VodCredential(id, key, token);
        _last = credential;
        return ValueTask.FromResult(credential);
    }
}
