namespace VodRaw.Cli;

/// <summary>
/// Where the CLI keeps checkpoints by default: the user's state directory — <c>$XDG_STATE_HOME/vodraw</c>, else
/// <c>~/.local/state/vodraw</c> on Linux and other Unixes, <c>~/Library/Application Support/vodraw</c> on macOS,
/// <c>%LOCALAPPDATA%\vodraw</c> on Windows.
/// </summary>
internal static class CheckpointDirectory
{
    public const string StateHomeVariable = "XDG_STATE_HOME";

    public static string? Default(CliEnvironment env)
    {
        if (OperatingSystem.IsWindows())
        {
            return env.Variable("LOCALAPPDATA") is { Length: > 0 } local ? Path.Combine(local, "vodraw") : null;
        }

        if (env.Variable(StateHomeVariable) is { Length: > 0 } state && Path.IsPathRooted(state))
        {
            return Path.Combine(state, "vodraw");
        }

        if (env.Variable("HOME") is not { Length: > 0 } home)
        {
            return null;
        }

        return OperatingSystem.IsMacOS() ? Path.Combine(home, "Library", "Application Support", "vodraw") : Path.Combine(home, ".local", "state", "vodraw");
    }
}
