namespace VodRaw.Emulator;

/// <summary>An object stored by the emulator's COS side.</summary>
public sealed class EmulatorObject
{
    internal EmulatorObject(string bucket, string key, long length, string etag, ulong crc64, string? contentType, string? filePath, int partCount)
    {
        Bucket = bucket;
        Key = key;
        Length = length;
        ETag = etag;
        Crc64 = crc64;
        ContentType = contentType;
        FilePath = filePath;
        PartCount = partCount;
    }

    /// <summary>Bucket name (with the -APPID suffix).</summary>
    public string Bucket { get; }

    /// <summary>Object key (no leading slash), decoded.</summary>
    public string Key { get; }

    /// <summary>Size in bytes.</summary>
    public long Length { get; }

    /// <summary>The ETag as COS sends it, with quotes.</summary>
    public string ETag { get; }

    /// <summary>CRC-64 of the content as the emulator computed it.</summary>
    public ulong Crc64 { get; }

    /// <summary>Content-Type sent with the object, if any.</summary>
    public string? ContentType { get; }

    /// <summary>Number of multipart parts, 0 for a simple PUT.</summary>
    public int PartCount { get; }

    /// <summary>Whether the bytes are kept (false when the emulator runs with content storage off).</summary>
    public bool HasContent => FilePath is not null;

    internal string? FilePath { get; }

    /// <summary>Opens the stored bytes.</summary>
    /// <exception cref="InvalidOperationException">The emulator does not keep content.</exception>
    public Stream OpenRead() => FilePath is null
        ? throw new InvalidOperationException("The emulator was started with StoreContent = false.")
        : new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous);

    /// <summary>Reads the stored bytes (small objects in tests).</summary>
    public byte[] ReadAllBytes()
    {
        using var s = OpenRead();
        var buffer = new byte[s.Length];
        s.ReadExactly(buffer);
        return buffer;
    }
}
