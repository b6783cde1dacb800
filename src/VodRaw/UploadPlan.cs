namespace VodRaw;

/// <summary>
/// What an upload would send, worked out locally by <see cref="VodUploadClient.PlanAsync"/> without a request: the
/// media, the cover and every file an HLS/DASH manifest references, with their sizes.
/// </summary>
public sealed class UploadPlan
{
    /// <summary>Creates a plan of <paramref name="files"/> (for test doubles of <see cref="IVodUploadClient"/>).</summary>
    /// <param name="files">The files, media first.</param>
    public UploadPlan(IReadOnlyList<PlannedFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        Files = files;
        long total = 0;
        foreach (var f in files)
        {
            total = f.Length is { } l && total >= 0 ? total + l : -1;
        }

        TotalBytes = total < 0 ? null : total;
    }

    /// <summary>The files, media first, then the cover, then the package's files in manifest order.</summary>
    public IReadOnlyList<PlannedFile> Files { get; }

    /// <summary>The bytes to send in all; null when the media or the cover is a stream of unknown length.</summary>
    public long? TotalBytes { get; }
}

/// <summary>One file of an <see cref="UploadPlan"/>.</summary>
public sealed class PlannedFile
{
    /// <summary>Creates a planned file (for test doubles of <see cref="IVodUploadClient"/>).</summary>
    /// <param name="role">What the file is to the upload.</param>
    /// <param name="path">Its full path ("-" for a stream).</param>
    /// <param name="relativePath">For a package's file, its path relative to the manifest's directory.</param>
    /// <param name="length">Its size in bytes, or null when unknown.</param>
    public PlannedFile(PlannedFileRole role, string path, string? relativePath, long? length)
    {
        Role = role;
        Path = path;
        RelativePath = relativePath;
        Length = length;
    }

    /// <summary>What the file is to the upload.</summary>
    public PlannedFileRole Role { get; }

    /// <summary>The full path ("-" for a stream).</summary>
    public string Path { get; }

    /// <summary>For a package's file, its path relative to the manifest's directory (its place under the media's COS directory); null otherwise.</summary>
    public string? RelativePath { get; }

    /// <summary>The size in bytes; null for a stream of unknown length.</summary>
    public long? Length { get; }
}

/// <summary>What a file is to an upload.</summary>
public enum PlannedFileRole
{
    /// <summary>The media file (or an HLS/DASH manifest).</summary>
    Media,

    /// <summary>The cover image.</summary>
    Cover,

    /// <summary>A file an HLS/DASH manifest references (segment, playlist, key, subtitle).</summary>
    Segment,
}
