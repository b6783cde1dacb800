namespace VodRaw.Manifests;

/// <summary>A file a manifest references: where it is, and its path relative to the top manifest's directory.</summary>
internal sealed record ManifestFile(string FullPath, string RelativePath);

/// <summary>
/// Finds every file an HLS or DASH manifest references, recursively (master → variant playlists → segments, keys,
/// init segments), each manifest read once. Discovery is delegated (the local parser, or the VOD
/// ParseStreamingManifest call as the reference SDK does); the path rule and the file checks are local. All violations,
/// including manifests that cannot be parsed, are collected and reported together before anything is uploaded.
/// </summary>
internal sealed class ManifestCollector(Func<byte[], string, CancellationToken, ValueTask<IReadOnlyList<string>>> discover)
{
    /// <summary>Discovery by the local parser: no I/O beyond reading the manifests.</summary>
    public static readonly ManifestCollector Local = new((content, type, _) => ValueTask.FromResult(LocalManifestParser.Parse(content, type)));

    /// <summary>Manifests larger than this are refused (the API takes the manifest text in a JSON body).</summary>
    public const int MaxManifestBytes = 8 << 20;

    public async Task<IReadOnlyList<ManifestFile>> CollectAsync(string manifestPath, string manifestType, CancellationToken cancellationToken)
    {
        var root = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var realRoot = RealPath(root);
        var files = new Dictionary<string, ManifestFile>(StringComparer.Ordinal);
        var violations = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal) { Path.GetFullPath(manifestPath) };
        var pending = new Queue<(string FullPath, string RelativeDirectory, string Type, string Name)>();
        pending.Enqueue((Path.GetFullPath(manifestPath), string.Empty, manifestType, Path.GetFileName(manifestPath)));

        while (pending.Count > 0)
        {
            var manifest = pending.Dequeue();
            var length = new FileInfo(manifest.FullPath).Length;
            if (length > MaxManifestBytes)
            {
                violations.Add($"{manifest.Name}: the manifest is {length} bytes; at most {MaxManifestBytes} are accepted");
                continue;
            }

            var content = await File.ReadAllBytesAsync(manifest.FullPath, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> references;
            try
            {
                references = await discover(content, manifest.Type, cancellationToken).ConfigureAwait(false);
            }
            catch (ManifestFormatException e)
            {
                violations.Add($"{manifest.Name}: cannot be read as {manifest.Type}: {e.Message}");
                continue;
            }

            foreach (var reference in references)
            {
                var normalized = ManifestReference.Normalize(reference, out var violation);
                if (normalized is null)
                {
                    violations.Add($"{manifest.Name}: '{reference}' {violation}");
                    continue;
                }

                var relative = manifest.RelativeDirectory + normalized;
                if (files.ContainsKey(relative))
                {
                    continue;
                }

                var full = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
                if (Directory.Exists(full))
                {
                    violations.Add($"{manifest.Name}: '{reference}' is a directory");
                    continue;
                }

                if (!File.Exists(full))
                {
                    violations.Add($"{manifest.Name}: '{reference}' does not exist ({relative})");
                    continue;
                }

                if (FileKind.DescribeIfNotRegular(full) is { } kind)
                {
                    violations.Add($"{manifest.Name}: '{reference}' is {kind}, not a regular file");
                    continue;
                }

                var real = RealPath(full);
                if (!real.StartsWith(realRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    violations.Add($"{manifest.Name}: '{reference}' leaves the manifest's directory through a symbolic link");
                    continue;
                }

                files[relative] = new ManifestFile(full, relative);
                if (ManifestReference.ManifestTypeOf(relative) is { } nestedType && visited.Add(full))
                {
                    var slash = relative.LastIndexOf('/');
                    pending.Enqueue((full, slash < 0 ? string.Empty : relative[..(slash + 1)], nestedType, relative));
                }
            }
        }

        if (violations.Count > 0)
        {
            throw new ManifestException(manifestPath, violations);
        }

        return [.. files.Values];
    }

    /// <summary>The path with every symbolic link along it resolved.</summary>
    internal static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var rootLength = Path.GetPathRoot(full)!.Length;
        var resolved = full[..rootLength];
        foreach (var part in full[rootLength..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            var target = info.LinkTarget is null ? null : info.ResolveLinkTarget(returnFinalTarget: true);
            resolved = target is null ? next : Path.GetFullPath(target.FullName);
        }

        return resolved;
    }
}
