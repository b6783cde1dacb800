using System.Globalization;
using Microsoft.Extensions.Configuration;
using VodRaw.Checkpoints;

namespace VodRaw.Extensions.DependencyInjection;

/// <summary>
/// Reads a configuration section (e.g. <c>VodRaw</c>) into <see cref="VodUploadClientOptions"/>, by hand rather than
/// through the reflection binder: it stays trim- and AOT-safe, and a bad value or a misspelt key is reported with its
/// full path instead of being skipped. The keys are listed in README.md ("Dependency injection").
/// </summary>
internal static class VodRawConfiguration
{
    public const string SecretIdKey = "SecretId";
    public const string SecretKeyKey = "SecretKey";
    public const string TokenKey = "Token";

    private static readonly string[] Keys =
    [
        SecretIdKey, SecretKeyKey, TokenKey,
        "VodEndpoint", "CosEndpointTemplate",
        "Transfer:PartSize", "Transfer:Concurrency", "Transfer:SendContentMd5", "Transfer:MemoryBudget", "Transfer:MaxBytesPerSecond",
        "Retry:MaxAttempts", "Retry:InitialDelay", "Retry:MaxDelay",
        "ConnectTimeout", "InactivityTimeout", "CompleteTimeout", "AbortTimeout", "CredentialExpiryMargin", "ProgressInterval",
        "SignActionHeader", "ManifestDiscovery",
        "Checkpoints:Directory", "Checkpoints:KeepCommitted",
    ];

    /// <summary>Applies every key present in <paramref name="section"/>; what cannot be read goes to <paramref name="errors"/>.</summary>
    public static void Apply(IConfiguration section, VodUploadClientOptions options, List<string> errors)
    {
        string? checkpointDirectory = null;
        var keepCommitted = false;
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is null)
            {
                continue; // a section node, not a value
            }

            var known = Array.Find(Keys, k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            var path = Path(section, key);
            if (known is null)
            {
                errors.Add($"{path}: unknown setting (known: {string.Join(", ", Keys)}).");
                continue;
            }

            switch (known)
            {
                case SecretIdKey or SecretKeyKey or TokenKey:
                    break; // read by ConfigurationCredentialProvider, on every call
                case "VodEndpoint":
                    if (Uri.TryCreate(value, UriKind.Absolute, out var uri))
                    {
                        options.VodEndpoint = uri;
                    }
                    else
                    {
                        errors.Add($"{path}: '{value}' is not an absolute URI.");
                    }

                    break;
                case "CosEndpointTemplate": options.CosEndpointTemplate = value; break;
                case "Transfer:PartSize": Size(value, path, errors, v => options.Transfer.PartSize = v); break;
                case "Transfer:Concurrency": Integer(value, path, errors, v => options.Transfer.Concurrency = (int)v); break;
                case "Transfer:SendContentMd5": Boolean(value, path, errors, v => options.Transfer.SendContentMd5 = v); break;
                case "Transfer:MemoryBudget": Size(value, path, errors, v => options.Transfer.MemoryBudget = v); break;
                case "Transfer:MaxBytesPerSecond": Size(value, path, errors, v => options.Transfer.MaxBytesPerSecond = v); break;
                case "Retry:MaxAttempts": Integer(value, path, errors, v => options.Retry.MaxAttempts = (int)v); break;
                case "Retry:InitialDelay": Duration(value, path, errors, v => options.Retry.InitialDelay = v); break;
                case "Retry:MaxDelay": Duration(value, path, errors, v => options.Retry.MaxDelay = v); break;
                case "ConnectTimeout": Duration(value, path, errors, v => options.ConnectTimeout = v); break;
                case "InactivityTimeout": Duration(value, path, errors, v => options.InactivityTimeout = v); break;
                case "CompleteTimeout": Duration(value, path, errors, v => options.CompleteTimeout = v); break;
                case "AbortTimeout": Duration(value, path, errors, v => options.AbortTimeout = v); break;
                case "CredentialExpiryMargin": Duration(value, path, errors, v => options.CredentialExpiryMargin = v); break;
                case "ProgressInterval": Duration(value, path, errors, v => options.ProgressInterval = v); break;
                case "SignActionHeader": Boolean(value, path, errors, v => options.SignActionHeader = v); break;
                case "ManifestDiscovery":
                    if (Enum.TryParse<ManifestDiscovery>(value, ignoreCase: true, out var discovery) && Enum.IsDefined(discovery) && !char.IsDigit(value.Trim()[0]))
                    {
                        options.ManifestDiscovery = discovery;
                    }
                    else
                    {
                        errors.Add($"{path}: '{value}' is not Service or Local.");
                    }

                    break;
                case "Checkpoints:Directory": checkpointDirectory = value; break;
                case "Checkpoints:KeepCommitted": Boolean(value, path, errors, v => keepCommitted = v); break;
            }
        }

        if (!string.IsNullOrWhiteSpace(checkpointDirectory))
        {
            options.Checkpoints = new CheckpointStore(checkpointDirectory) { KeepCommitted = keepCommitted };
        }
        else if (keepCommitted)
        {
            errors.Add($"{Path(section, "Checkpoints:KeepCommitted")}: needs {Path(section, "Checkpoints:Directory")}.");
        }
    }

    public static string Path(IConfiguration section, string key) =>
        section is IConfigurationSection { Path: { Length: > 0 } parent } ? parent + ":" + key : key;

    private static void Integer(string value, string path, List<string> errors, Action<long> set)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v is >= int.MinValue and <= int.MaxValue)
        {
            set(v);
        }
        else
        {
            errors.Add($"{path}: '{value}' is not a whole number.");
        }
    }

    /// <summary>Bytes: a whole number, optionally with KiB, MiB or GiB (1024-based), e.g. <c>8MiB</c>.</summary>
    private static void Size(string value, string path, List<string> errors, Action<long> set)
    {
        var text = value.Trim();
        long unit = 1;
        foreach (var (suffix, factor) in new[] { ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30) })
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                unit = factor;
                text = text[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= long.MaxValue / unit)
        {
            set(n * unit);
        }
        else
        {
            errors.Add($"{path}: '{value}' is not a size in bytes (a whole number, optionally with KiB, MiB or GiB).");
        }
    }

    private static void Duration(string value, string path, List<string> errors, Action<TimeSpan> set)
    {
        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var v))
        {
            set(v);
        }
        else
        {
            errors.Add($"{path}: '{value}' is not a duration ([d.]hh:mm:ss[.fff], e.g. 00:00:30).");
        }
    }

    private static void Boolean(string value, string path, List<string> errors, Action<bool> set)
    {
        if (bool.TryParse(value, out var v))
        {
            set(v);
        }
        else
        {
            errors.Add($"{path}: '{value}' is not true or false.");
        }
    }
}
