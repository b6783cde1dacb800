using VodRaw.Transfer;

namespace VodRaw.Checkpoints;

/// <summary>
/// Which parts of an interrupted multipart upload a resume may keep. COS's list is the truth (a part the checkpoint
/// recorded but COS does not hold is sent again); a listed part is kept when it has the planned size and either the
/// checkpoint recorded the same ETag, or the local bytes hash to its ETag (a part COS confirmed after the last
/// checkpoint write). Anything else is sent again, which replaces it.
/// </summary>
internal static class PartReconciler
{
    /// <param name="plan">The file's part plan (from the checkpoint's part size).</param>
    /// <param name="recorded">Parts the checkpoint recorded.</param>
    /// <param name="listed">Parts ListParts returned.</param>
    /// <param name="hashLocal">Reads a local part: its MD5 as lowercase hex and its CRC-64.</param>
    /// <param name="cancellationToken">Cancels the local reads.</param>
    public static async Task<List<CompletedPart>> ReconcileAsync(
        PartPlan plan,
        IReadOnlyList<PartRecord> recorded,
        IReadOnlyList<ListedPart> listed,
        Func<int, CancellationToken, ValueTask<(string Md5Hex, ulong Crc64)>> hashLocal,
        CancellationToken cancellationToken)
    {
        var byNumber = new Dictionary<int, PartRecord>();
        foreach (var r in recorded)
        {
            byNumber[r.Number] = r;
        }

        var kept = new List<CompletedPart>();
        var seen = new HashSet<int>();
        foreach (var (number, etag, size) in listed)
        {
            if (number < 1 || number > plan.PartCount || !seen.Add(number) || size != plan.GetPart(number - 1).Size)
            {
                continue;
            }

            if (byNumber.TryGetValue(number, out var r) && r.Size == size && SameETag(r.ETag, etag))
            {
                kept.Add(new CompletedPart(number, etag, size, r.Crc64));
                continue;
            }

            var (md5, crc) = await hashLocal(number, cancellationToken).ConfigureAwait(false);
            if (SameETag(md5, etag))
            {
                kept.Add(new CompletedPart(number, etag, size, crc));
            }
        }

        kept.Sort(static (a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return kept;
    }

    private static bool SameETag(string a, string b) => string.Equals(a.Trim('"'), b.Trim('"'), StringComparison.OrdinalIgnoreCase);
}
