using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace VodRaw.Extensions.DependencyInjection;

/// <summary>
/// Checks the options when they are first built (and at host start, through ValidateOnStart): every configuration
/// value readable, every setting in range (<see cref="VodUploadClientOptions.Validate"/>), the HTTP layer left to
/// IHttpClientFactory, and one credential source. Messages name settings, never values of secrets.
/// </summary>
internal sealed class VodRawOptionsValidator : IValidateOptions<VodUploadClientOptions>
{
    private readonly IServiceProvider _services;

    public VodRawOptionsValidator(IServiceProvider services) => _services = services;

    public ValidateOptionsResult Validate(string? name, VodUploadClientOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        var registration = _services.GetRequiredService<VodRawRegistration>();
        if (registration.Section is { } section)
        {
            VodRawConfiguration.Apply(section, new VodUploadClientOptions(), failures);
        }

        if (options.HttpHandler is not null || options.HttpClient is not null)
        {
            failures.Add("HttpHandler and HttpClient come from IHttpClientFactory here: configure the handler through the IHttpClientBuilder that AddVodUploadClient returns.");
        }
        else
        {
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                failures.Add(e.Message);
            }
        }

        var configured = registration.Credentials;
        var registered = _services.GetService<IVodCredentialProvider>();
        if (registered is not null && configured.Configured)
        {
            failures.Add($"a credential is in configuration and an {nameof(IVodCredentialProvider)} is registered: keep one.");
        }
        else if (registered is null && configured.Problem() is { } problem)
        {
            failures.Add(problem);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
