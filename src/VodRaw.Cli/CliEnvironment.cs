namespace VodRaw.Cli;

/// <summary>What the command line reads from and writes to; tests substitute their own.</summary>
/// <param name="Out">Results.</param>
/// <param name="Error">Progress and messages.</param>
/// <param name="Variable">Environment variable lookup.</param>
/// <param name="Interactive">Whether standard error is a terminal (live progress line).</param>
/// <param name="Input">Opens standard input (for <c>vodraw upload -</c>).</param>
internal sealed record CliEnvironment(TextWriter Out, TextWriter Error, Func<string, string?> Variable, bool Interactive, Func<Stream>? Input = null)
{
    /// <summary>With --verbose or --log-file: where the command's own request lines go (the emulator's served requests).</summary>
    public RequestLog? Log { get; init; }

    /// <summary>The terminal's width in cells (progress lines fit it; messages wrap at spaces to it).</summary>
    public Func<int> Width { get; init; } = TerminalText.ConsoleWidth;

    public static CliEnvironment Console() => new(
        System.Console.Out, System.Console.Error, Environment.GetEnvironmentVariable, !System.Console.IsErrorRedirected, System.Console.OpenStandardInput);
}
