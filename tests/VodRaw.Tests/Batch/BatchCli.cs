using System.Text.Json;
using VodRaw.Cli;
using VodRaw.Emulator;

namespace VodRaw.Tests.Batch;

/// <summary>Runs `vodraw` in process against an emulator, with its credential in the environment.</summary>
internal static class BatchCli
{
    /// <summary>`vodraw upload` of <paramref name="paths"/> to the emulator, checkpoints under <paramref name="checkpoints"/>.</summary>
    public static string[] Upload(VodEmulator emulator, string checkpoints, string[] paths, params string[] more) =>
    [
        "upload", .. paths, "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}",
        "--checkpoint-dir", checkpoints, "--part-size", "1MiB", "--quiet", .. more,
    ];

    public static async Task<(int Code, string Output, string Error)> RunAsync(VodEmulator emulator, string[] args, Dictionary<string, string>? extra = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var env = new Dictionary<string, string>
        {
            ["TENCENTCLOUD_SECRET_ID"] = emulator.Credential.SecretId,
            ["TENCENTCLOUD_SECRET_KEY"] = emulator.Credential.SecretKey,
        };
        foreach (var (k, v) in extra ?? [])
        {
            env[k] = v;
        }

        var code = await VodRawCli.RunAsync(args, new CliEnvironment(TextWriter.Synchronized(output), TextWriter.Synchronized(error), name => env.GetValueOrDefault(name), Interactive: false));
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The lines of a JSON Lines file (a results file), parsed.</summary>
    public static List<JsonElement> Lines(string path) =>
        File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
}
