using System.Reflection;

namespace VodRaw.Diagnostics;

/// <summary>
/// The names under which VodRaw reports what it does: an <see cref="System.Diagnostics.ActivitySource"/> and a
/// <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="Name"/>, and an EventSource of the same name for
/// logs (<c>dotnet-trace</c>, an <see cref="System.Diagnostics.Tracing.EventListener"/>, or the DI package's ILogger
/// bridge). Subscribe with OpenTelemetry's <c>AddSource("VodRaw")</c> and <c>AddMeter("VodRaw")</c>. README,
/// "Observability", lists every span, attribute, instrument and event. No tag, event or message ever holds a secret,
/// a signature, a token or an Authorization value.
/// </summary>
public static class VodRawTelemetry
{
    /// <summary>"VodRaw": the ActivitySource, Meter and EventSource name.</summary>
    public const string Name = "VodRaw";

    /// <summary>The activity of one whole upload; VOD calls and COS requests are its children.</summary>
    public const string UploadActivityName = "VodRaw.Upload";

    /// <summary>The library's version, as the ActivitySource and Meter report it (the assembly's informational version without build metadata).</summary>
    public static string Version { get; } = typeof(VodRawTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(VodRawTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
