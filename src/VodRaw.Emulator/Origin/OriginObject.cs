namespace VodRaw.Emulator.Origin;

/// <summary>
/// One version of an object as a request sees it: its length, validators and type, and where its bytes are (in memory
/// or in a file). A request takes one at the start and answers from it throughout, whatever replaces it meanwhile.
/// </summary>
internal sealed class OriginObject
{
    public required long Length { get; init; }

    /// <summary>A strong entity tag, with its quotes.</summary>
    public required string ETag { get; init; }

    /// <summary>UTC, whole seconds (what an HTTP date can say).</summary>
    public required DateTimeOffset LastModified { get; init; }

    public required string ContentType { get; init; }

    /// <summary>The bytes, for an object given to <see cref="EmulatorOrigin.Put"/>.</summary>
    public byte[]? Content { get; init; }

    /// <summary>The file, for one given to <see cref="EmulatorOrigin.PutFile"/> or found in the root directory.</summary>
    public string? FilePath { get; init; }

    /// <summary>A file's current version: ETag from its size and modification time, as nginx does; null when it is gone.</summary>
    public static OriginObject? FromFile(string filePath, string contentType)
    {
        var file = new FileInfo(filePath);
        if (!file.Exists)
        {
            return null;
        }

        var modified = file.LastWriteTimeUtc;
        return new OriginObject
        {
            Length = file.Length,
            ETag = $"\"{file.Length:x}-{modified.Ticks:x}\"",
            LastModified = WholeSeconds(new DateTimeOffset(modified, TimeSpan.Zero)),
            ContentType = contentType,
            FilePath = file.FullName,
        };
    }

    public static DateTimeOffset WholeSeconds(DateTimeOffset instant) =>
        new(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
