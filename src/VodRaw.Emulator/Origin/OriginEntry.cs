namespace VodRaw.Emulator.Origin;

/// <summary>What is stored at a path: a fixed in-memory version, or a file whose current version is read per request.</summary>
internal sealed class OriginEntry
{
    private readonly OriginObject? _inMemory;
    private readonly string? _filePath;
    private readonly string _contentType;

    private OriginEntry(OriginObject? inMemory, string? filePath, string contentType)
    {
        _inMemory = inMemory;
        _filePath = filePath;
        _contentType = contentType;
    }

    public static OriginEntry InMemory(OriginObject version) => new(version, null, version.ContentType);

    public static OriginEntry File(string filePath, string contentType) => new(null, filePath, contentType);

    /// <summary>The version a request arriving now is answered from; null when the file is gone.</summary>
    public OriginObject? Current() => _inMemory ?? OriginObject.FromFile(_filePath!, _contentType);
}
