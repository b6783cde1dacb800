using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace VodRaw.Cli;

/// <summary>The `vodraw` command line: builds the commands and runs one, returning its exit code.</summary>
internal static class VodRawCli
{
    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("vodraw: upload media to Tencent Cloud VOD (ApplyUpload → COS → CommitUpload).")
        {
            UploadCommand.Create(env),
            CheckpointsCommand.Create(env),
        };
#if EMULATOR
        root.Subcommands.Add(EmulatorCommand.Create(env));
#else
        var absent = new Command("emulator", "Not in this native build: run the emulator with the .NET build (dotnet tool VodRaw.Cli).") { Hidden = true };
        absent.SetAction(_ => ResultWriter.Failure(env, json: false, ExitCodes.Usage,
            "the emulator is not in this native build of vodraw; run `vodraw emulator` from the .NET build (dotnet tool install VodRaw.Cli) and point this binary at it with --vod-endpoint and --cos-endpoint."));
        root.Subcommands.Add(absent);
#endif
        UseToolNameInHelp(root);
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

    /// <summary>
    /// Help's usage lines name the command as users type it (<c>vodraw</c>), whatever the entry assembly is called
    /// (<c>VodRaw.Cli.dll</c> under <c>dotnet run</c> and the tool shim; the assembly cannot be named vodraw, which
    /// would collide with the library's VodRaw.dll on case-insensitive file systems).
    /// </summary>
    private static void UseToolNameInHelp(Command command)
    {
        foreach (var option in command.Options.OfType<HelpOption>())
        {
            if (option.Action is HelpAction help)
            {
                option.Action = new ToolNameHelpAction(help);
            }
        }

        foreach (var subcommand in command.Subcommands)
        {
            UseToolNameInHelp(subcommand);
        }
    }

    private sealed class ToolNameHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        /// <summary>As help's own action: asking for help is never a usage error.</summary>
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var configuration = parseResult.InvocationConfiguration;
            var output = configuration.Output;
            using var help = new StringWriter();
            configuration.Output = help;
            try
            {
                inner.Invoke(parseResult);
            }
            finally
            {
                configuration.Output = output;
            }

            output.Write(help.ToString().Replace("  " + RootCommand.ExecutableName + " ", "  vodraw ", StringComparison.Ordinal));
            return 0;
        }
    }
}
