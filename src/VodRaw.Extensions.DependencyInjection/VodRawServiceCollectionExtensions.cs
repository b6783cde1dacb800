using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VodRaw;
using VodRaw.Extensions.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="IVodUploadClient"/> in a service collection.</summary>
public static class VodRawServiceCollectionExtensions
{
    /// <summary>The name of the IHttpClientFactory client VodRaw sends through.</summary>
    public const string HttpClientName = "VodRaw";

    /// <summary>
    /// Registers <see cref="IVodUploadClient"/> with options from <paramref name="configuration"/> (a section such as
    /// <c>VodRaw</c>; its keys are those of <see cref="VodUploadClientOptions"/>, plus <c>SecretId</c>, <c>SecretKey</c>
    /// and <c>Token</c>) and then <paramref name="configure"/>. A bad or unknown key fails at host start
    /// (ValidateOnStart) with its path. The credential is, in order: a registered <see cref="IVodCredentialProvider"/>,
    /// the section's SecretId/SecretKey (re-read on every call, so a reload rotates it), the TENCENTCLOUD_* variables.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section to read; reloads apply to clients made afterwards.</param>
    /// <param name="configure">Settings made in code after the section is read (checkpoints, clock), or null.</param>
    /// <returns>The builder of the HTTP client VodRaw sends through: add handlers, a proxy or a handler lifetime there.</returns>
    public static IHttpClientBuilder AddVodUploadClient(this IServiceCollection services, IConfiguration configuration, Action<VodUploadClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<VodUploadClientOptions>().Configure(options => VodRawConfiguration.Apply(configuration, options, []));
        services.AddSingleton<IOptionsChangeTokenSource<VodUploadClientOptions>>(new ConfigurationChangeTokenSource<VodUploadClientOptions>(configuration));
        return AddCore(services, new VodRawRegistration(configuration), configure);
    }

    /// <summary>
    /// Registers <see cref="IVodUploadClient"/> with options set in code. The credential is a registered
    /// <see cref="IVodCredentialProvider"/> (e.g. <c>services.AddSingleton&lt;IVodCredentialProvider&gt;(credential)</c>)
    /// or else the TENCENTCLOUD_* environment variables. Options are validated at host start (ValidateOnStart).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the HTTP client VodRaw sends through: add handlers, a proxy or a handler lifetime there.</returns>
    public static IHttpClientBuilder AddVodUploadClient(this IServiceCollection services, Action<VodUploadClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, new VodRawRegistration(null), configure);
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services, VodRawRegistration registration, Action<VodUploadClientOptions>? configure)
    {
        if (configure is not null)
        {
            services.AddOptions<VodUploadClientOptions>().Configure(configure);
        }

        services.AddOptions<VodUploadClientOptions>().ValidateOnStart();
        services.Replace(ServiceDescriptor.Singleton(registration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VodUploadClientOptions>, VodRawOptionsValidator>());
        services.TryAddSingleton(provider => new VodRawLogBridge(provider.GetService<ILoggerFactory>()));

        var builder = services.AddHttpClient<IVodUploadClient, VodUploadClient>(HttpClientName, Create);
        builder.ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        builder.ConfigurePrimaryHttpMessageHandler(provider =>
            VodUploadClient.CreateHttpHandler(provider.GetRequiredService<IOptionsMonitor<VodUploadClientOptions>>().CurrentValue));

        // The factory's logging handlers may log headers at Trace: never the Authorization value.
        builder.RedactLoggedHeaders(_ => true);
        return builder;
    }

    /// <summary>One client per resolution (a typed client): a fresh options object, the factory's HttpClient.</summary>
    private static VodUploadClient Create(HttpClient http, IServiceProvider provider)
    {
        _ = provider.GetRequiredService<VodRawLogBridge>();
        var options = provider.GetRequiredService<IOptionsFactory<VodUploadClientOptions>>().Create(Options.Options.DefaultName);
        options.HttpClient = http;
        var credentials = provider.GetService<IVodCredentialProvider>() ?? provider.GetRequiredService<VodRawRegistration>().Credentials;
        return new VodUploadClient(credentials, options);
    }
}
