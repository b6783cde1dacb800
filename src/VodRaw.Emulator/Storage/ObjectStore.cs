using System.Buffers;
using System.IO.Pipelines;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace VodRaw.Emulator;

/// <summary>
/// Objects and multipart uploads on disk. Bodies stream to a temporary file while their MD5 and CRC-64 are computed;
/// nothing is held in memory beyond one 64 KiB buffer per request.
/// </summary>
internal sealed class ObjectStore : IDisposable
{
    private readonly ConcurrentDictionary<(string Bucket, string Key), EmulatorObject> _objects = new();
    private readonly ConcurrentDictionary<string, MultipartUpload> _uploads = new();
    private readonly ConcurrentQueue<string> _aborted = new();
    private readonly string _root;
    private readonly bool _ownsRoot;

    public ObjectStore(string? root, bool storeContent)
    {
        _ownsRoot = root is null;
        _root = root ?? Path.Combine(Path.GetTempPath(), "vodraw-emulator-" + Guid.NewGuid().ToString("N"));
        StoreContent = storeContent;
        Directory.CreateDirectory(Path.Combine(_root, "objects"));
        Directory.CreateDirectory(Path.Combine(_root, "uploads"));
    }

    public bool StoreContent { get; }

    public string Root => _root;

    public IReadOnlyCollection<EmulatorObject> Objects => [.. _objects.Values];

    public IReadOnlyCollection<string> AbortedUploadIds => [.. _aborted];

    public IReadOnlyCollection<MultipartUpload> Uploads => [.. _uploads.Values];

    public EmulatorObject? Get(string bucket, string key) => _objects.TryGetValue((bucket, key), out var o) ? o : null;

    public MultipartUpload? GetUpload(string uploadId) => _uploads.TryGetValue(uploadId, out var u) ? u : null;

    /// <summary>
    /// Reads a body straight from Kestrel's buffers (<see cref="PipeReader"/>: no copy into a buffer of ours) into
    /// the hashers and a temporary file, or discards it after hashing.
    /// </summary>
    /// <param name="body">The request body (<c>HttpRequest.BodyReader</c>).</param>
    /// <param name="limit">Stop after this many bytes and report <c>Truncated</c> (reset-connection faults); null reads all.</param>
    /// <param name="cancellationToken">Aborts the read.</param>
    public async Task<BodyResult> ReadBodyAsync(PipeReader body, long? limit, CancellationToken cancellationToken)
    {
        if (limit is <= 0)
        {
            return new BodyResult(null, 0, string.Empty, 0, Truncated: true);
        }

        var path = StoreContent ? Path.Combine(_root, "objects", Guid.NewGuid().ToString("N")) : null;
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var crc = new EmulatorCrc64();
        // Kestrel's segments go to the file as they are, several per system call (a gathering write): no copy.
        var file = path is null ? null : File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, FileOptions.Asynchronous);
        var segments = new List<ReadOnlyMemory<byte>>();
        long total = 0;
        try
        {
            while (true)
            {
                var read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = read.Buffer;
                if (limit is { } l && total + buffer.Length >= l)
                {
                    // The fault's cut-off: take what it allows, and stop as if the connection dropped there.
                    body.AdvanceTo(buffer.GetPosition(l - total));
                    return new BodyResult(null, l, string.Empty, 0, Truncated: true);
                }

                segments.Clear();
                foreach (var segment in buffer)
                {
                    md5.AppendData(segment.Span);
                    crc.Append(segment.Span);
                    segments.Add(segment);
                }

                if (file is not null && segments.Count > 0)
                {
                    await RandomAccess.WriteAsync(file, segments, total, cancellationToken).ConfigureAwait(false);
                }

                total += buffer.Length;
                body.AdvanceTo(buffer.End);
                if (read.IsCompleted || read.IsCanceled)
                {
                    break;
                }
            }

            file?.Dispose();
            file = null;
            var result = new BodyResult(path, total, Hex.Lower(md5.GetHashAndReset()), crc.Value, Truncated: false);
            path = null; // ownership passes to the caller
            return result;
        }
        finally
        {
            file?.Dispose();
            if (path is not null)
            {
                TryDelete(path);
            }
        }
    }

    public EmulatorObject PutObject(string bucket, string key, BodyResult body, string? contentType)
    {
        var obj = new EmulatorObject(bucket, key, body.Length, "\"" + body.Md5Hex + "\"", body.Crc64, contentType, body.FilePath, 0);
        Replace(obj);
        return obj;
    }

    public MultipartUpload Initiate(string bucket, string key, DateTimeOffset now)
    {
        var id = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N");
        var upload = new MultipartUpload(id, bucket, key, now, Path.Combine(_root, "uploads", id));
        _uploads[id] = upload;
        return upload;
    }

    public StoredPart PutPart(MultipartUpload upload, int partNumber, BodyResult body, DateTimeOffset now)
    {
        var part = new StoredPart(partNumber, body.Length, "\"" + body.Md5Hex + "\"", body.Crc64, body.FilePath, now);
        if (upload.Parts.TryGetValue(partNumber, out var old) && old.FilePath is not null)
        {
            TryDelete(old.FilePath);
        }

        upload.Parts[partNumber] = part;
        return part;
    }

    /// <summary>Concatenates the chosen parts into the object (streamed file to file).</summary>
    public async Task<EmulatorObject> CompleteAsync(MultipartUpload upload, IReadOnlyList<StoredPart> parts, CancellationToken cancellationToken)
    {
        string? path = null;
        if (StoreContent)
        {
            path = Path.Combine(_root, "objects", Guid.NewGuid().ToString("N"));
            var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                foreach (var part in parts)
                {
                    var input = new FileStream(part.FilePath!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
                    await using (input.ConfigureAwait(false))
                    {
                        await input.CopyToAsync(output, 1 << 16, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        ulong crc = 0;
        long length = 0;
        var md5s = new byte[parts.Count * 16];
        for (var i = 0; i < parts.Count; i++)
        {
            crc = EmulatorCrc64.Combine(crc, parts[i].Crc64, parts[i].Size);
            length += parts[i].Size;
            Convert.FromHexString(parts[i].ETag.AsSpan(1, 32)).CopyTo(md5s.AsSpan(i * 16, 16));
        }

        var etag = "\"" + Hex.Lower(MD5.HashData(md5s)) + "-" + parts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"";
        var obj = new EmulatorObject(upload.Bucket, upload.Key, length, etag, crc, null, path, parts.Count);
        Replace(obj);
        RemoveUpload(upload);
        return obj;
    }

    public void Abort(MultipartUpload upload)
    {
        RemoveUpload(upload);
        _aborted.Enqueue(upload.UploadId);
    }

    public void Dispose()
    {
        if (_ownsRoot)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a file may still be open on a slow disposal
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private void RemoveUpload(MultipartUpload upload)
    {
        if (_uploads.TryRemove(upload.UploadId, out _))
        {
            foreach (var part in upload.Parts.Values)
            {
                if (part.FilePath is not null)
                {
                    TryDelete(part.FilePath);
                }
            }
        }
    }

    private void Replace(EmulatorObject obj)
    {
        if (_objects.TryGetValue((obj.Bucket, obj.Key), out var old) && old.FilePath is not null && old.FilePath != obj.FilePath)
        {
            TryDelete(old.FilePath);
        }

        _objects[(obj.Bucket, obj.Key)] = obj;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A body read to disk: where it is, its length and hashes; Truncated when a reset fault cut it.</summary>
internal sealed record BodyResult(string? FilePath, long Length, string Md5Hex, ulong Crc64, bool Truncated);
