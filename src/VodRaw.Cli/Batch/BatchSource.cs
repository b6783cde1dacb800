namespace VodRaw.Cli.Batch;

/// <summary>
/// Turns the command line's paths (files and, with <c>--recursive</c>, folders) or a list file into the batch's
/// media, each checked locally (<see cref="VodUploadClient.PlanAsync"/>) before anything is sent. In a folder: every
/// file whose extension is a VOD media type, filtered by <c>--include</c>/<c>--exclude</c>; an HLS/DASH manifest
/// becomes one media with the files it references (those are not media of their own, nor are manifests another
/// manifest references); a cover is paired by <c>--cover-pattern</c>. Files named on the command line are taken as
/// they are. Folders are walked by <see cref="FolderWalk"/> (symbolic links followed, each file once). Problems are
/// collected, all of them, not thrown.
/// </summary>
internal static class BatchSource
{
    /// <summary>The media types VOD takes (protocol.md §6, current revision), plus DASH's mpd.</summary>
    private static readonly HashSet<string> MediaExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "wmv", "rm", "mov", "mpeg", "mp4", "3gp", "flv", "avi", "rmvb", "ts", "asf", "mpg", "webm", "mkv", "m3u8", "wm",
        "asx", "ram", "mpe", "vob", "dat", "mp4v", "m4v", "f4v", "mxf", "qt", "ogg", "mp3", "m4a", "flac", "wav", "ra",
        "aac", "amr", "mpd",
    };

    public sealed record Selection(List<BatchItem> Items, List<string> Problems, int NotMedia, int InPackages);

    public static async Task<Selection> FromPathsAsync(
        IReadOnlyList<string> paths, bool recursive, bool followLinks, IReadOnlyList<Glob> include, IReadOnlyList<Glob> exclude, IReadOnlyList<string> coverPatterns,
        VodUploadRequest defaults, Func<VodUploadRequest, CancellationToken, Task<UploadPlan>> plan, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var found = new List<(string Key, string FullPath, string RealPath, bool Named, bool ThroughLink)>();
        var notMedia = 0;
        var walk = new FolderWalk(followLinks);
        var urls = new List<BatchItem>();
        foreach (var given in paths)
        {
            if (UploadCommand.IsUrl(given))
            {
                // A URL is one media, streamed from its origin; its key is which object it names (never its query).
                if (Uri.TryCreate(given, UriKind.Absolute, out var url))
                {
                    var request = BatchItem.Copy(defaults);
                    request.MediaUrl = url;
                    urls.Add(new BatchItem(VodRaw.Sources.SourceUrl.IdentityOf(url), request));
                }
                else
                {
                    problems.Add($"{UploadCommand.Shown(given)}: cannot be read as a URL.");
                }

                continue;
            }

            var full = Path.GetFullPath(given);
            if (File.Exists(full))
            {
                found.Add((Key(given), full, FolderWalk.RealPath(full) ?? full, true, false));
            }
            else if (Directory.Exists(full))
            {
                if (!recursive)
                {
                    problems.Add($"{given} is a folder: add --recursive to upload the media files in it.");
                    continue;
                }

                foreach (var file in walk.Files(full, problems))
                {
                    if ((include.Count > 0 && !include.Any(g => g.IsMatch(file.Relative))) || exclude.Any(g => g.IsMatch(file.Relative)))
                    {
                        continue;
                    }

                    found.Add((Key(given).TrimEnd('/') + "/" + file.Relative, file.FullPath, file.RealPath, false, file.ThroughLink));
                }
            }
            else
            {
                problems.Add($"{given}: no such file or folder.");
            }
        }

        // One file is one candidate, however many names it has: the one named on the command line, else one without a
        // link in it, else the first key.
        var candidates = found.GroupBy(f => f.RealPath, FolderWalk.PathComparer)
            .Select(g => g.OrderBy(f => !f.Named).ThenBy(f => f.ThroughLink).ThenBy(f => f.Key, StringComparer.Ordinal).First())
            .Select(f => (f.Key, f.FullPath, f.Named))
            .ToList();

        // Manifests first: what they reference is part of their media, not media of its own.
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var plans = new Dictionary<string, UploadPlan>(StringComparer.Ordinal);
        foreach (var (key, full, _) in candidates.Where(c => IsManifest(c.FullPath)))
        {
            try
            {
                var planned = await plan(WithMedia(defaults, full), cancellationToken).ConfigureAwait(false);
                plans[full] = planned;
                foreach (var f in planned.Files.Where(f => f.Role == PlannedFileRole.Segment))
                {
                    referenced.Add(f.Path);
                }
            }
            catch (ArgumentException e)
            {
                problems.Add($"{key}: {ResultWriter.ToolMessage(e)}");
                plans[full] = null!;
            }
        }

        var items = new List<BatchItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var inPackages = 0;
        foreach (var (key, full, named) in candidates.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (referenced.Contains(full))
            {
                inPackages++;
                continue;
            }

            if (!named && !MediaExtensions.Contains(Path.GetExtension(full).TrimStart('.')))
            {
                notMedia++;
                continue;
            }

            if (!seen.Add(full))
            {
                continue;
            }

            var request = WithMedia(defaults, full);
            request.CoverFilePath = Cover(full, coverPatterns);
            var item = new BatchItem(key, request);
            if (plans.TryGetValue(full, out var known))
            {
                if (known is null)
                {
                    continue; // reported above
                }

                if (request.CoverFilePath is null)
                {
                    item.Plan = known;
                }
            }

            items.Add(item);
        }

        items.AddRange(urls);

        // Covers paired by the pattern are not media of their own (their types are images, but a pattern may say otherwise).
        var covers = items.Select(i => i.Request.CoverFilePath).OfType<string>().ToHashSet(StringComparer.Ordinal);
        items.RemoveAll(i => covers.Contains(i.MediaPath));
        problems.AddRange(await CheckAsync(items, plan, cancellationToken).ConfigureAwait(false));
        return new Selection(items, problems, notMedia, inPackages);
    }

    /// <summary>Plans every item not planned yet; returns the problems, each naming its item.</summary>
    public static async Task<List<string>> CheckAsync(List<BatchItem> items, Func<VodUploadRequest, CancellationToken, Task<UploadPlan>> plan, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var seen = new Dictionary<string, BatchItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!seen.TryAdd(item.MediaPath, item))
            {
                problems.Add($"{item.Where}: {item.MediaPath} is listed twice (also {seen[item.MediaPath].Where}); each file is one media.");
                continue;
            }

            if (item.Plan is not null)
            {
                continue;
            }

            try
            {
                item.Plan = await plan(item.NewRequest(), cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                problems.Add($"{item.Where}: {ResultWriter.ToolMessage(e)}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{item.Where}: {e.Message}");
            }
            catch (VodRawException e) when (item.IsUrl)
            {
                // A URL's origin that refuses or is down now is this media's failure when its turn comes, not the batch's.
                item.Unreachable = e.Message;
            }
        }

        return problems;
    }

    /// <summary>The first cover a pattern names that exists beside the media ({stem}: the name without extension; {name}: with it).</summary>
    private static string? Cover(string media, IReadOnlyList<string> patterns)
    {
        var folder = Path.GetDirectoryName(media)!;
        var name = Path.GetFileName(media);
        var stem = Path.GetFileNameWithoutExtension(media);
        foreach (var pattern in patterns)
        {
            var candidate = Path.GetFullPath(pattern.Replace("{stem}", stem, StringComparison.Ordinal).Replace("{name}", name, StringComparison.Ordinal), folder);
            if (File.Exists(candidate) && candidate != media)
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsManifest(string path) =>
        Path.GetExtension(path).Equals(".m3u8", StringComparison.OrdinalIgnoreCase) || Path.GetExtension(path).Equals(".mpd", StringComparison.OrdinalIgnoreCase);

    private static string Key(string given)
    {
        var key = Slashes.Of(given);
        while (key.StartsWith("./", StringComparison.Ordinal))
        {
            key = key[2..];
        }

        return key;
    }

    private static VodUploadRequest WithMedia(VodUploadRequest defaults, string media)
    {
        var request = BatchItem.Copy(defaults);
        request.MediaFilePath = media;
        return request;
    }
}
