using System.Collections.Concurrent;

namespace VodRaw.Transfer;

/// <summary>
/// A multipart upload as data: its ID and the parts COS confirmed. Kept separate from the algorithm so a resumed
/// upload can start from the parts a checkpoint and ListParts agree on.
/// </summary>
internal sealed class MultipartState(string uploadId)
{
    private readonly ConcurrentDictionary<int, CompletedPart> _parts = new();
    private Exception? _firstError;

    public string UploadId { get; } = uploadId;

    public Exception? FirstError => Volatile.Read(ref _firstError);

    public void Add(CompletedPart part) => _parts[part.PartNumber] = part;

    public void RecordError(Exception error) => Interlocked.CompareExchange(ref _firstError, error, null);

    public HashSet<int> PartNumbers() => [.. _parts.Keys];

    public CompletedPart[] SortedParts()
    {
        var parts = _parts.Values.ToArray();
        Array.Sort(parts, static (a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return parts;
    }
}
