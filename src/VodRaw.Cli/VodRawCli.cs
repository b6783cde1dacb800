using System.CommandLine;

namespace VodRaw.Cli;

/// <summary>The `vodraw` command line: builds the commands and runs one, returning its exit code.</summary>
internal static class VodRawCli
{
    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("vodraw: upload media to Tencent Cloud VOD (ApplyUpload → COS → CommitUpload).")
        {
            UploadCommand.Create(env),
        };
#if EMULATOR
        root.Subcommands.Add(EmulatorCommand.Create(env));
#else
        var absent = new Command("emulator", "Not in this native build: run the emulator with the .NET build (dotnet tool VodRaw.Cli).") { Hidden = true };
        absent.SetAction(_ => ResultWriter.Failure(env, json: false, ExitCodes.Usage,
            "the emulator is not in this native build of vodraw; run `vodraw emulator` from the .NET build (dotnet tool install VodRaw.Cli) and point this binary at it with --vod-endpoint and --cos-endpoint."));
        root.Subcommands.Add(absent);
#endif
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            var message = string.Join(" ", parsed.Errors.Select(e => e.Message));
            if (args.Contains("--json"))
            {
                // Scripts get one JSON object whatever went wrong.
                return ResultWriter.Failure(env, json: true, ExitCodes.Usage, message + " Run 'vodraw --help' for usage.", "Usage");
            }

            foreach (var error in parsed.Errors)
            {
                env.Error.WriteLine("error: " + error.Message);
            }

            env.Error.WriteLine("Run 'vodraw --help' for usage.");
            return ExitCodes.Usage;
        }

        // Signals are handled by the caller (Program.cs), which cancels the token; System.CommandLine's own handler is off.
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            env.Error.WriteLine("error: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            env.Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}");
            return ExitCodes.InternalError;
        }
    }
}
