using Microsoft.Extensions.Configuration;

namespace VodRaw.Extensions.DependencyInjection;

/// <summary>What AddVodUploadClient was given: the configuration section, if any (one per service collection).</summary>
internal sealed class VodRawRegistration
{
    private ConfigurationCredentialProvider? _credentials;

    public VodRawRegistration(IConfiguration? section) => Section = section;

    public IConfiguration? Section { get; }

    /// <summary>Tests replace the environment; hosts read the process's.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    public ConfigurationCredentialProvider Credentials =>
        _credentials ??= new ConfigurationCredentialProvider(Section, Environment);
}
