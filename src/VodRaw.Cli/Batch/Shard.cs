using System.Globalization;
using System.Text;

namespace VodRaw.Cli.Batch;

/// <summary>
/// <c>--shard I/N</c>: this process takes the files whose stable hash of their batch key (the path as the command
/// line or list file names it, <c>/</c>-separated) falls in shard I of N (0 ≤ I &lt; N), so N processes with the same
/// command upload disjoint sets that together are the whole. The hash is FNV-1a 64 over the key's UTF-8 bytes
/// (Unicode NFC), modulo N: the same on every machine and every run (spec/batch.md, vectors in spec/vectors/shard.json).
/// <c>auto/N</c> takes I from <c>JOB_COMPLETION_INDEX</c> (a Kubernetes Indexed Job).
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    public const string IndexVariable = "JOB_COMPLETION_INDEX";

    public static Shard All => new(0, 1);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    public bool Takes(string key) => Count == 1 || (int)(Hash(key) % (ulong)Count) == Index;

    /// <summary>FNV-1a, 64 bits, over the UTF-8 bytes of <paramref name="key"/>.</summary>
    public static ulong Hash(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    public static Shard? TryParse(string text, Func<string, string?> variable, out string? error)
    {
        error = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            error = $"--shard {text}: give I/N with 0 <= I < N (for example 0/3), or auto/N to take I from {IndexVariable}.";
            return null;
        }

        var indexText = text[..slash];
        if (indexText == "auto")
        {
            indexText = variable(IndexVariable) ?? string.Empty;
            if (indexText.Length == 0)
            {
                error = $"--shard auto/{count}: {IndexVariable} is not set (it is in a Kubernetes Indexed Job); give the index, for example --shard 0/{count}.";
                return null;
            }
        }

        if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= count)
        {
            error = $"--shard {text}: the index must be a whole number from 0 to {count - 1}{(text.StartsWith("auto", StringComparison.Ordinal) ? $" ({IndexVariable}={indexText})" : string.Empty)}.";
            return null;
        }

        return new Shard(index, count);
    }
}
