using Microsoft.Extensions.Configuration;

namespace VodRaw.Extensions.DependencyInjection;

/// <summary>
/// The credential in the configuration section (<c>SecretId</c>, <c>SecretKey</c>, <c>Token</c>), read on every call
/// so that a reloaded configuration (a rotated secret) is used from the next request on. A section without a
/// SecretId falls back to the TENCENTCLOUD_* environment variables.
/// </summary>
internal sealed class ConfigurationCredentialProvider : IVodCredentialProvider
{
    private readonly IConfiguration? _section;
    private readonly EnvironmentCredentialProvider _environment;
    private (string Id, string Key, string? Token, VodCredential Credential)? _last;

    public ConfigurationCredentialProvider(IConfiguration? section, Func<string, string?> variable)
    {
        _section = section;
        _environment = new EnvironmentCredentialProvider(variable);
    }

    /// <summary>True when the section holds any credential key (the credential then comes from configuration only).</summary>
    public bool Configured =>
        !string.IsNullOrEmpty(Get(VodRawConfiguration.SecretIdKey)) || !string.IsNullOrEmpty(Get(VodRawConfiguration.SecretKeyKey))
        || !string.IsNullOrEmpty(Get(VodRawConfiguration.TokenKey));

    /// <summary>What is missing or inconsistent, or null when a credential can be made now. Never a value.</summary>
    public string? Problem()
    {
        if (Configured)
        {
            var id = Get(VodRawConfiguration.SecretIdKey);
            var key = Get(VodRawConfiguration.SecretKeyKey);
            return string.IsNullOrEmpty(id) || string.IsNullOrEmpty(key)
                ? $"{Name(VodRawConfiguration.SecretIdKey)} and {Name(VodRawConfiguration.SecretKeyKey)} must be set together."
                : null;
        }

        try
        {
            _ = _environment.GetCredentialAsync(CancellationToken.None);
            return null;
        }
        catch (InvalidOperationException)
        {
            return $"no credential: set {Name(VodRawConfiguration.SecretIdKey)} and {Name(VodRawConfiguration.SecretKeyKey)}, "
                + $"register an {nameof(IVodCredentialProvider)}, or set {EnvironmentCredentialProvider.SecretIdVariable} and {EnvironmentCredentialProvider.SecretKeyVariable}.";
        }
    }

    private string? Get(string key) => _section?[key];

    private string Name(string key) => _section is null ? key : VodRawConfiguration.Path(_section, key);

    public ValueTask<VodCredential> GetCredentialAsync(CancellationToken cancellationToken)
    {
        if (!Configured)
        {
            return _environment.GetCredentialAsync(cancellationToken);
        }

        if (Problem() is { } problem)
        {
            throw new InvalidOperationException("VodRaw configuration: " + problem);
        }

        var id = Get(VodRawConfiguration.SecretIdKey)!;
        var key = Get(VodRawConfiguration.SecretKeyKey)!;
        var token = Get(VodRawConfiguration.TokenKey);
        token = string.IsNullOrEmpty(token) ? null : token;
        if (_last is { } last && last.Id == id && last.Key == key && last.Token == token)
        {
            return ValueTask.FromResult(last.Credential);
        }

        var credential = new VodCredential(id, key, token);
        _last = (id, key, token, credential);
        return ValueTask.FromResult(credential);
    }
}
