namespace VodRaw.Cli.Batch;

/// <summary>
/// The files under the folders a batch names (<c>--recursive</c>), each real folder walked once and each file found
/// once, however many names symbolic links give them: a link back up the tree (<c>a/loop → ..</c>) and a second link
/// to one folder add nothing. Folder links are walked after every folder reachable without one, so a file keeps the
/// name it has without links when it has one; with <c>--no-follow-links</c> they are not walked at all (a folder named
/// on the command line is walked even when it is a link, and links to files are files either way). Identity is the
/// real path (every link in it resolved, as realpath(3) does): .NET has no API for a file's device and inode, and
/// two real paths are two files unless they are hard links of one. One walk serves every folder of a batch, so a
/// folder named twice (or inside another named one) is walked once too.
/// </summary>
internal sealed class FolderWalk(bool followLinks)
{
    /// <summary>The links followed in one path before it counts as a loop (Linux's own limit, MAXSYMLINKS).</summary>
    private const int MaxLinksInAPath = 40;

    /// <summary>How paths compare: ignoring case on Windows, exactly elsewhere.</summary>
    public static readonly StringComparer PathComparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    private static readonly EnumerationOptions OneFolder = new() { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false };

    private readonly HashSet<string> _walked = new(PathComparer);

    /// <summary>A file found: its path from the folder given (with <c>/</c>), its full path as walked, and its real path.</summary>
    /// <param name="ThroughLink">Whether a symbolic link (the file's own, or a folder's on the way) is part of the path as walked.</param>
    public readonly record struct Found(string Relative, string FullPath, string RealPath, bool ThroughLink);

    /// <summary>The files under <paramref name="folder"/> (a full path) not found before; a folder that cannot be read is a problem.</summary>
    public List<Found> Files(string folder, List<string> problems)
    {
        var found = new List<Found>();
        var links = new Queue<(string FullPath, string Relative)>();
        var real = RealPath(folder);
        if (real is null)
        {
            problems.Add($"{folder}: its symbolic links form a loop.");
            return found;
        }

        if (_walked.Add(real))
        {
            Walk(folder, real, string.Empty, throughLink: false, found, links, problems);
        }

        while (links.TryDequeue(out var link))
        {
            var target = RealPath(link.FullPath);
            if (target is null)
            {
                problems.Add($"{link.FullPath}: its symbolic links form a loop.");
            }
            else if (_walked.Add(target))
            {
                Walk(link.FullPath, target, link.Relative, throughLink: true, found, links, problems);
            }
        }

        return found;
    }

    private void Walk(string fullPath, string realPath, string relative, bool throughLink, List<Found> found, Queue<(string, string)> links, List<string> problems)
    {
        var pending = new Stack<(string FullPath, string RealPath, string Relative)>();
        pending.Push((fullPath, realPath, relative));
        while (pending.TryPop(out var folder))
        {
            List<FileSystemInfo> entries;
            try
            {
                // In name order, so which of two names of one folder is walked does not depend on the file system's order.
                entries = [.. new DirectoryInfo(folder.FullPath).EnumerateFileSystemInfos("*", OneFolder).OrderBy(e => e.Name, StringComparer.Ordinal)];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{folder.FullPath}: cannot be read ({e.Message.TrimEnd('.')}).");
                continue;
            }

            // Pushed in reverse, so subfolders are walked in name order.
            for (var i = entries.Count - 1; i >= 0; i--)
            {
                var entry = entries[i];
                var childRelative = folder.Relative.Length == 0 ? entry.Name : folder.Relative + "/" + entry.Name;
                var childFullPath = Path.Join(folder.FullPath, entry.Name);
                // The attributes come with the enumeration; only a link costs a readlink.
                var isLink = (entry.Attributes & FileAttributes.ReparsePoint) != 0 && entry.LinkTarget is not null;
                if (entry is DirectoryInfo)
                {
                    // A link to a folder is enumerated as a folder (its target's kind).
                    if (isLink)
                    {
                        if (followLinks)
                        {
                            links.Enqueue((childFullPath, childRelative));
                        }
                    }
                    else if (_walked.Add(Path.Join(folder.RealPath, entry.Name)))
                    {
                        pending.Push((childFullPath, Path.Join(folder.RealPath, entry.Name), childRelative));
                    }

                    continue;
                }

                var fileRealPath = isLink ? RealPath(childFullPath) ?? childFullPath : Path.Join(folder.RealPath, entry.Name);
                found.Add(new Found(childRelative, childFullPath, fileRealPath, throughLink || isLink));
            }
        }
    }

    /// <summary>
    /// <paramref name="path"/> (full) with every symbolic link in it resolved, one name at a time as realpath(3) does
    /// (a link's target may itself hold links and <c>..</c>), or null when following them takes more than
    /// <see cref="MaxLinksInAPath"/> links (a loop). The path need not exist: names past a missing one are kept as they are.
    /// </summary>
    public static string? RealPath(string path)
    {
        var root = Path.GetPathRoot(path);
        if (string.IsNullOrEmpty(root))
        {
            return null;
        }

        var names = new Stack<string>();
        Push(names, path[root.Length..]);
        var current = root;
        var links = 0;
        while (names.TryPop(out var name))
        {
            if (name is "" or ".")
            {
                continue;
            }

            if (name == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, name);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                target = null;
            }

            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinksInAPath)
            {
                return null;
            }

            if (OperatingSystem.IsWindows() && target.StartsWith(@"\\?\", StringComparison.Ordinal) && !target.StartsWith(@"\\?\UNC\", StringComparison.Ordinal))
            {
                target = target[4..]; // a junction's target, in the form that skips normalisation; the same folder
            }

            if (Path.GetPathRoot(target) is { Length: > 0 } targetRoot)
            {
                // A target of "\x" on Windows is rooted on the current drive.
                current = Path.IsPathFullyQualified(target) ? targetRoot : Path.GetPathRoot(current)!;
                Push(names, target[targetRoot.Length..]);
            }
            else
            {
                Push(names, target);
            }
        }

        return current;

        static void Push(Stack<string> names, string relative)
        {
            var parts = relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                names.Push(parts[i]);
            }
        }
    }
}
