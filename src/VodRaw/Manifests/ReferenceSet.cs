namespace VodRaw.Manifests;

/// <summary>References in order of first appearance, each once (a byte-range segment is one file, listed once).</summary>
internal sealed class ReferenceSet
{
    /// <summary>More references than this in one manifest are refused (a hostile template could name billions).</summary>
    public const int MaxReferences = 200_000;

    private readonly List<string> _ordered = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public int Count => _ordered.Count;

    public void Add(string reference)
    {
        if (_seen.Add(reference))
        {
            if (_ordered.Count == MaxReferences)
            {
                throw new ManifestFormatException($"the manifest references more than {MaxReferences} files");
            }

            _ordered.Add(reference);
        }
    }

    public List<string> ToList() => _ordered;
}
