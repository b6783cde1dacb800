namespace VodRaw.Cli.Batch;

/// <summary>
/// Keys and globs put <c>/</c> between folders. Only the platform's own separators become <c>/</c>: on Windows
/// <c>\</c> (and <c>/</c>); elsewhere <c>/</c> alone, since there a backslash is an ordinary character of a file name
/// (<c>x\y.mp4</c> is one file, not <c>y.mp4</c> in <c>x</c>, and keeps a key of its own).
/// </summary>
internal static class Slashes
{
    public static string Of(string path) => path.Replace(Path.DirectorySeparatorChar, '/').Replace(Path.AltDirectorySeparatorChar, '/');
}
