namespace VodRaw.Emulator.Origin;

/// <summary>
/// The files of a directory, read-only, at their relative paths, confined to it. The request path has already been
/// checked by <see cref="OriginPath"/>; this checks again on its own (so that neither check alone keeps a request
/// inside): each segment must be a plain file name — not empty, <c>.</c> or <c>..</c>, no separator of any platform,
/// no colon (drive letters, NTFS streams), no control character, no trailing dot or space (which Windows drops) — no
/// symbolic link or junction below the root is followed, the full path must lie under the root, and only a regular
/// file is served.
/// </summary>
internal sealed class OriginDirectory
{
    private static readonly char[] Refused = [.. Path.GetInvalidFileNameChars().Union(['/', '\\', ':'])];

    public OriginDirectory(string root)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The origin's root directory '{root}' does not exist.");
        }

        Root = Path.TrimEndingDirectorySeparator(full) + Path.DirectorySeparatorChar;
    }

    /// <summary>The root's full path, ending with a separator.</summary>
    public string Root { get; }

    /// <summary>The file an object path names inside the root, or null when it names none there.</summary>
    public string? Resolve(string key)
    {
        var current = Root;
        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.IndexOfAny(Refused) >= 0
                || segment.Any(char.IsControl) || segment.EndsWith('.') || segment.EndsWith(' '))
            {
                return null;
            }

            current = Path.Join(current, segment);
            if (new FileInfo(current).LinkTarget is not null)
            {
                return null;
            }
        }

        return Path.GetFullPath(current).StartsWith(Root, StringComparison.Ordinal) && File.Exists(current) ? current : null;
    }
}
