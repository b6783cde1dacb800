namespace VodRaw.Transfer;

/// <summary>
/// What one upload has done at COS and VOD so far, so that a failure or cancellation can say exactly what state it
/// leaves behind (nothing started, aborted, abort failed, stored but not committed, commit possibly applied).
/// Thread-safe; written by the transfer as it goes.
/// </summary>
internal sealed class UploadLedger
{
    private readonly object _gate = new();
    private readonly List<OpenMultipartUpload> _leftOpen = [];
    private int _started;
    private int _stored;
    private int _aborted;
    private int _filesTotal;
    private int _commitSent;
    private int _kept;

    public void SetFiles(int count) => Volatile.Write(ref _filesTotal, count);

    /// <summary>A request that writes to COS was sent (a PUT, or an Initiate).</summary>
    public void WriteStarted() => Interlocked.Increment(ref _started);

    public void ObjectStored() => Interlocked.Increment(ref _stored);

    public void MultipartAborted() => Interlocked.Increment(ref _aborted);

    public void LeftOpen(IEnumerable<OpenMultipartUpload> uploads)
    {
        lock (_gate)
        {
            _leftOpen.AddRange(uploads);
        }
    }

    public void CommitSent() => Volatile.Write(ref _commitSent, 1);

    /// <summary>CommitUpload answered (a FileId, or a refusal that applied nothing): no commit is in flight any more.</summary>
    public void CommitAnswered() => Volatile.Write(ref _commitSent, 0);

    /// <summary>A multipart upload was left open on purpose, for a checkpoint to resume.</summary>
    public void KeptForResume() => Interlocked.Increment(ref _kept);

    public bool AnyKeptForResume => Volatile.Read(ref _kept) > 0;

    public IReadOnlyList<OpenMultipartUpload> OpenUploads
    {
        get
        {
            lock (_gate)
            {
                return [.. _leftOpen];
            }
        }
    }

    /// <summary>The state an interrupted upload leaves behind.</summary>
    public UploadInterruption Outcome()
    {
        if (Volatile.Read(ref _commitSent) != 0)
        {
            return UploadInterruption.CommitMayHaveApplied;
        }

        if (OpenUploads.Count > 0)
        {
            return UploadInterruption.AbortFailed;
        }

        var files = Volatile.Read(ref _filesTotal);
        if (files > 0 && Volatile.Read(ref _stored) >= files)
        {
            return UploadInterruption.StoredNotCommitted;
        }

        if (Volatile.Read(ref _started) == 0)
        {
            return UploadInterruption.NothingStarted;
        }

        return Volatile.Read(ref _aborted) > 0 ? UploadInterruption.Aborted : UploadInterruption.NothingCommitted;
    }
}
