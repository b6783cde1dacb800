using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.DependencyInjection;

/// <summary>
/// services.AddVodUploadClient in a test host against the emulator: options from an in-memory configuration,
/// validated at start, HTTP through IHttpClientFactory (the host's handlers apply), events to ILogger, credentials
/// from configuration (re-read, so a reload rotates them) or a registered provider.
/// </summary>
public sealed class ServiceCollectionTests : IAsyncLifetime
{
    private UploadHarness _h = null!;

    public async Task InitializeAsync() => _h = await UploadHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private Dictionary<string, string?> Settings(bool withCredential = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["VodRaw:VodEndpoint"] = _h.Emulator.VodEndpoint.ToString(),
            ["VodRaw:CosEndpointTemplate"] = _h.Emulator.CosEndpointTemplate,
            ["VodRaw:Transfer:PartSize"] = "1MiB",
            ["VodRaw:Transfer:Concurrency"] = "2",
            ["VodRaw:Retry:InitialDelay"] = "00:00:00.005",
            ["VodRaw:InactivityTimeout"] = "00:00:30",
        };
        if (withCredential)
        {
            settings["VodRaw:SecretId"] = _h.Emulator.Credential.SecretId;
            settings["VodRaw:SecretKey"] = _h.Emulator.Credential.SecretKey;
        }

        return settings;
    }

    [Fact]
    public async Task ASectionOfConfigurationGivesAWorkingClientThatSendsThroughTheFactoryAndLogsThroughILogger()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build();
        var logs = new CapturingLoggerProvider();
        var seen = new CountingHandler();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddVodUploadClient(configuration.GetSection("VodRaw")).AddHttpMessageHandler(() => seen);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();

        var client = provider.GetRequiredService<IVodUploadClient>();
        var (media, content) = _h.File("di.mp4", 3 * 1024 * 1024 + 5);
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });

        Assert.Contains(_h.Emulator.CommittedMedia, m => m.FileId == response.FileId);
        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        // ApplyUpload, Initiate, 4 parts, Complete, CommitUpload: all through the host's handler chain.
        Assert.Equal(8, seen.Requests);
        var ours = logs.Entries.Where(e => e.Category == "VodRaw.VodUploadClient").ToList();
        Assert.Contains(ours, e => e.Level == LogLevel.Information && e.EventName == "UploadCompleted" && e.Message.Contains(response.FileId, StringComparison.Ordinal));
        Assert.Contains(ours, e => e.Level == LogLevel.Debug && e.EventName == "RequestCompleted" && e.Message.StartsWith("UploadPart:", StringComparison.Ordinal));
        var completed = ours.First(e => e.EventName == "UploadCompleted" && e.Message.Contains(response.FileId, StringComparison.Ordinal));
        Assert.Contains(completed.State, p => p.Key == "fileId" && (string?)p.Value == response.FileId);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(_h.Emulator.Credential.SecretKey, StringComparison.Ordinal)
            || e.State.Any(p => p.Value?.ToString()?.Contains(_h.Emulator.Credential.SecretKey, StringComparison.Ordinal) == true));
    }

    [Fact]
    public void BadSettingsFailAtStartNamingEachKeyAndNothingIsSent()
    {
        var settings = Settings();
        settings["VodRaw:Transfer:PartSize"] = "100";
        settings["VodRaw:Retry:MaxDelay"] = "soon";
        settings["VodRaw:Concurrency"] = "8";
        settings["VodRaw:ManifestDiscovery"] = "Nearby";
        settings.Remove("VodRaw:SecretKey");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddVodUploadClient(configuration.GetSection("VodRaw"));
        using var provider = services.BuildServiceProvider();

        var failed = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var message = string.Join("\n", failed.Failures);
        Assert.Contains("VodRaw:Retry:MaxDelay: 'soon' is not a duration", message, StringComparison.Ordinal);
        Assert.Contains("VodRaw:Concurrency: unknown setting", message, StringComparison.Ordinal);
        Assert.Contains("VodRaw:ManifestDiscovery: 'Nearby' is not Service or Local", message, StringComparison.Ordinal);
        Assert.Contains("PartSize", message, StringComparison.Ordinal);
        Assert.Contains("VodRaw:SecretId and VodRaw:SecretKey must be set together", message, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.Emulator.Credential.SecretId, message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IVodUploadClient>());
        Assert.Empty(_h.Emulator.Requests);
    }

    [Fact]
    public async Task AReloadedSecretIsUsedFromTheNextUploadOn()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build();
        var services = new ServiceCollection();
        services.AddVodUploadClient(configuration.GetSection("VodRaw"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IVodUploadClient>();
        var (media, _) = _h.File("rotate.mp4", 2000);
        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });

        configuration["VodRaw:SecretKey"] = "a revoked key"; // what a reload from a secret store does

        var refused = await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));
        Assert.Equal("AuthFailure.SignatureFailure", refused.Code);
        Assert.DoesNotContain("a revoked key", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodeOnlyOptionsUseARegisteredCredentialProviderAndWorkWithoutLogging()
    {
        var asked = 0;
        var credential = new VodCredential(_h.Emulator.Credential.SecretId, _h.Emulator.Credential.SecretKey);
        var services = new ServiceCollection();
        services.AddSingleton<IVodCredentialProvider>(new DelegateProvider(() =>
        {
            Interlocked.Increment(ref asked);
            return credential;
        }));
        services.AddVodUploadClient(options =>
        {
            options.VodEndpoint = _h.Emulator.VodEndpoint;
            options.CosEndpointTemplate = _h.Emulator.CosEndpointTemplate;
        });
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var (media, _) = _h.File("code.mp4", 2000);
        var response = await provider.GetRequiredService<IVodUploadClient>().UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });

        Assert.Contains(_h.Emulator.CommittedMedia, m => m.FileId == response.FileId);
        Assert.True(asked >= 2, $"the provider was asked {asked} times");
    }

    [Fact]
    public void ACredentialInConfigurationAndARegisteredProviderAreRefusedTogether()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IVodCredentialProvider>(new VodCredential("AKIDother", "other"));
        services.AddVodUploadClient(configuration.GetSection("VodRaw"));
        using var provider = services.BuildServiceProvider();

        var failed = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(failed.Failures, f => f.Contains("keep one", StringComparison.Ordinal));
    }

    [Fact]
    public void AHandlerSetInCodeIsRefusedBecauseTheFactoryOwnsTheHttpLayer()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build();
        var services = new ServiceCollection();
        using var handler = new HttpClientHandler();
        services.AddVodUploadClient(configuration.GetSection("VodRaw"), options => options.HttpHandler = handler);
        using var provider = services.BuildServiceProvider();

        var failed = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(failed.Failures, f => f.Contains("IHttpClientBuilder", StringComparison.Ordinal));
    }

    private sealed class DelegateProvider(Func<VodCredential> next) : IVodCredentialProvider
    {
        public ValueTask<VodCredential> GetCredentialAsync(CancellationToken cancellationToken) => ValueTask.FromResult(next());
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _requests;

        public int Requests => _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>Keeps every log entry with its category, level, event and structured state.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string? EventName, string Message, KeyValuePair<string, object?>[] State)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var pairs = state is IEnumerable<KeyValuePair<string, object?>> list ? list.ToArray() : [];
            owner.Entries.Enqueue((category, logLevel, eventId.Name, formatter(state, exception), pairs));
        }
    }
}
