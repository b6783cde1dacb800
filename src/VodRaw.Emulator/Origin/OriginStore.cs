using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;

namespace VodRaw.Emulator.Origin;

/// <summary>
/// The origin's paths: objects put in memory or as files, redirects, then the root directory's files. A replaced
/// object gets a new ETag and a Last-Modified at least one second after the one it replaces, so that a client's
/// <c>If-Unmodified-Since</c> notices the change even within the same second. Thread-safe.
/// </summary>
internal sealed class OriginStore(OriginDirectory? directory, TimeProvider time)
{
    private const string DefaultContentType = "application/octet-stream";
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private readonly Dictionary<string, OriginEntry> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OriginRedirect> _redirects = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _generation;

    public void Put(string key, byte[] content, string? contentType)
    {
        var copy = content.ToArray();
        var hash = Hex.Lower(SHA256.HashData(copy).AsSpan(0, 8));
        lock (_gate)
        {
            var now = OriginObject.WholeSeconds(time.GetUtcNow());
            var replaced = FindLocked(key)?.LastModified;
            _objects[key] = OriginEntry.InMemory(new OriginObject
            {
                Length = copy.Length,
                ETag = $"\"{hash}-{++_generation}\"",
                LastModified = replaced is { } previous && now <= previous ? previous.AddSeconds(1) : now,
                ContentType = contentType ?? Guess(key),
                Content = copy,
            });
        }
    }

    public void PutFile(string key, string filePath, string? contentType)
    {
        var full = Path.GetFullPath(filePath);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The file '{filePath}' does not exist.", filePath);
        }

        lock (_gate)
        {
            _objects[key] = OriginEntry.File(full, contentType ?? Guess(key));
        }
    }

    /// <summary>Forgets the object and the redirect at <paramref name="key"/> (a root directory's file stays).</summary>
    public void Remove(string key)
    {
        lock (_gate)
        {
            _objects.Remove(key);
            _redirects.Remove(key);
        }
    }

    public void AddRedirect(string key, OriginRedirect redirect)
    {
        lock (_gate)
        {
            _redirects[key] = redirect;
        }
    }

    public OriginRedirect? FindRedirect(string key)
    {
        lock (_gate)
        {
            return _redirects.GetValueOrDefault(key);
        }
    }

    /// <summary>The version a request arriving now is answered from, or null. A file is looked at outside the lock.</summary>
    public OriginObject? Find(string key)
    {
        OriginEntry? entry;
        lock (_gate)
        {
            entry = _objects.GetValueOrDefault(key);
        }

        return entry is not null ? entry.Current() : FromDirectory(key);
    }

    private OriginObject? FindLocked(string key) => _objects.TryGetValue(key, out var entry) ? entry.Current() : FromDirectory(key);

    private OriginObject? FromDirectory(string key) =>
        directory?.Resolve(key) is { } file ? OriginObject.FromFile(file, Guess(key)) : null;

    private static string Guess(string key) => ContentTypes.TryGetContentType(key, out var type) ? type : DefaultContentType;
}
