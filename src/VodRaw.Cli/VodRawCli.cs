using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace VodRaw.Cli;

/// <summary>The `vodraw` command line: builds the commands and runs one, returning its exit code.</summary>
internal static class VodRawCli
{
    private const string VerboseName = "--verbose";
    private const string LogFileName = "--log-file";

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken = default)
    {
        var parsed = Build(env).Parse(args);
        if (UnknownOption(parsed) is { } unknown)
        {
            // Before anything starts: a misspelt option would otherwise be a path (upload) or a bare parse error.
            return ResultWriter.Failure(env, args.Contains("--json"), ExitCodes.Usage, unknown + " Run 'vodraw --help' for usage.", "Usage");
        }

        if (parsed.Errors.Count > 0)
        {
            var message = string.Join(" ", parsed.Errors.Select(e => ToolParseMessage(e.Message)));
            if (args.Contains("--json"))
            {
                // Scripts get one JSON object whatever went wrong.
                return ResultWriter.Failure(env, json: true, ExitCodes.Usage, message + " Run 'vodraw --help' for usage.", "Usage");
            }

            foreach (var error in parsed.Errors)
            {
                env.Error.WriteLine("error: " + ToolParseMessage(error.Message));
            }

            env.Error.WriteLine("Run 'vodraw --help' for usage.");
            return ExitCodes.Usage;
        }

        // The commands write to the environment they were built with: with a log, build them again on the logged one.
        // The emulator's standard output is its banner of (throwaway) keys: the log file does not copy it.
        var copyOutput = parsed.CommandResult.Command.Name != "emulator";
        return await WithRequestLogAsync(env, args, parsed.GetValue<bool>(VerboseName), parsed.GetValue<string?>(LogFileName), copyOutput,
            logged => InvokeAsync(ReferenceEquals(logged, env) ? parsed : Build(logged).Parse(args), logged, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// The first token before a <c>--</c> separator that looks like an option (<c>--name</c>) but is none of the
    /// command's, with the nearest option's name when one is close (edit distance, a swap counting once). System.CommandLine
    /// takes such a token as an argument (a path to upload) or reports it unrecognised; after <c>--</c> every token is
    /// an argument, which is how a file whose name starts with <c>--</c> is given.
    /// </summary>
    internal static string? UnknownOption(ParseResult parsed)
    {
        var consumedByOptions = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        var known = new List<Option>();
        var path = new List<string>();
        for (var result = parsed.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            path.Insert(0, result.Command.Name);
            known.AddRange(result.Command.Options.Where(o => ReferenceEquals(result, parsed.CommandResult) || o.Recursive));
        }

        Collect(parsed.RootCommandResult);
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                return null;
            }

            if (token.Type != TokenType.Argument || !token.Value.StartsWith("--", StringComparison.Ordinal) || token.Value.Length == 2 || consumedByOptions.Contains(token))
            {
                continue;
            }

            var name = token.Value.Split('=')[0];
            var nearest = known.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal))
                .Select(n => (Name: n, Distance: EditDistance(name, n))).Where(c => c.Distance <= Math.Max(2, name.Length / 4))
                .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal).Select(c => c.Name).FirstOrDefault();
            var commandName = "vodraw" + string.Concat(path.Skip(1).Select(p => " " + p));
            return $"{commandName} has no option {name}" + (nearest is null ? "." : $"; did you mean {nearest}?")
                // A near option is what was meant; otherwise it may be a path, which has a way through.
                + (nearest is not null || parsed.CommandResult.Command.Arguments.Count == 0 ? string.Empty
                    : $" (A path that starts with -- goes after a -- separator: {commandName} [options] -- {token.Value}.)");
        }

        return null;

        void Collect(CommandResult result)
        {
            foreach (var child in result.Children)
            {
                if (child is OptionResult option)
                {
                    consumedByOptions.UnionWith(option.Tokens);
                }
                else if (child is CommandResult subcommand)
                {
                    Collect(subcommand);
                }
            }
        }
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost one.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>
    /// A parse error as a tool says it: System.CommandLine names the .NET type it expected
    /// (<c>System.Nullable`1[System.Int64]</c>); the user is told what to type instead.
    /// </summary>
    internal static string ToolParseMessage(string message)
    {
        const string marker = " as expected type '";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        var end = at < 0 ? -1 : message.IndexOf('\'', at + marker.Length);
        if (end < 0)
        {
            return message;
        }

        var type = message[(at + marker.Length)..end];
        var wanted = type.Contains("Int64", StringComparison.Ordinal) || type.Contains("Int32", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
            : "a value of the expected kind";
        return message[..at] + " as " + wanted + message[(end + 1)..];
    }

    private static RootCommand Build(CliEnvironment env)
    {
        // Options every command takes (recursive), read back by name in RunAsync.
        var verbose = new Option<bool>(VerboseName, "-v")
        {
            Description = "Print one line per request attempt on standard error: operation, part, status, attempts, duration, retry reason (never a secret).",
            Recursive = true,
        };
        var logFile = new Option<string?>(LogFileName)
        {
            Description = "Append the same request lines (always verbose), the result and errors, and a final summary to this file.",
            Recursive = true,
        };
        var root = new RootCommand("vodraw: upload media to Tencent Cloud VOD (ApplyUpload → COS → CommitUpload), or have VOD pull it from a URL (PullUpload)."
            + Environment.NewLine + Environment.NewLine + ExitCodes.HelpParagraph())
        {
            verbose,
            logFile,
            UploadCommand.Create(env),
            PullCommand.Create(env),
            CheckpointsCommand.Create(env),
            BenchCommand.Create(env),
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
        return root;
    }

    /// <summary>Runs the command with --verbose / --log-file in effect, and ends the log file with a summary line.</summary>
    private static async Task<int> WithRequestLogAsync(CliEnvironment env, string[] args, bool verbose, string? logPath, bool copyOutput, Func<CliEnvironment, Task<int>> run)
    {
        if (!verbose && logPath is null)
        {
            return await run(env).ConfigureAwait(false);
        }

        StreamWriter? file = null;
        if (logPath is not null)
        {
            try
            {
                file = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return ResultWriter.Failure(env, args.Contains("--json"), ExitCodes.Usage, $"--log-file {logPath}: cannot open it for writing ({e.Message.TrimEnd('.')}).");
            }
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var log = new RequestLog(verbose ? env.Error : null, file);
        try
        {
            log.WriteToFile("Run args=\"" + string.Join(' ', RedactedArguments(args)).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
            // Live progress redraws one line; with request lines between, it prints whole lines instead.
            var logged = file is null
                ? env with { Interactive = false, Log = log }
                : env with
                {
                    Out = copyOutput ? new LogTee(env.Out, log, _ => true) : env.Out,
                    Error = new LogTee(env.Error, log, line => line.StartsWith("error:", StringComparison.Ordinal) || line.StartsWith("vodraw:", StringComparison.Ordinal)),
                    Interactive = env.Interactive && !verbose,
                    Log = log,
                };
            var code = await run(logged).ConfigureAwait(false);
            log.WriteToFile(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Summary exit={code} meaning={ExitCodes.Describe(code)} seconds={System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.###}"));
            return code;
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<int> InvokeAsync(ParseResult parsed, CliEnvironment env, CancellationToken cancellationToken)
    {
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
            // --help and -h only: the Windows-style /?, /h and -? aliases cluttered every completion list.
            option.Aliases.Remove("/?");
            option.Aliases.Remove("/h");
            option.Aliases.Remove("-?");
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

    /// <summary>
    /// The arguments as the log file may keep them: a URL's query (a presigned signature) becomes "?…" and a
    /// --source-header's value "…"; nothing else changes.
    /// </summary>
    internal static IEnumerable<string> RedactedArguments(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (i > 0 && args[i - 1] == "--source-header")
            {
                var colon = arg.IndexOf(':', StringComparison.Ordinal);
                yield return colon < 0 ? "…" : arg[..colon] + ": …";
            }
            else if (arg.StartsWith("--source-header=", StringComparison.Ordinal))
            {
                yield return "--source-header=…";
            }
            else
            {
                var at = arg.IndexOf("://", StringComparison.Ordinal);
                var query = at < 0 ? -1 : arg.IndexOfAny(['?', '#'], at);
                yield return query < 0 ? arg : arg[..query] + "?…";
            }
        }
    }
}
