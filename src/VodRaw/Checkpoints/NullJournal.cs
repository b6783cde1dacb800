using VodRaw.Transfer;

namespace VodRaw.Checkpoints;

/// <summary>The journal of an upload that keeps no checkpoint: records nothing, so nothing can resume.</summary>
internal sealed class NullJournal : IUploadJournal, IObjectJournal
{
    public static readonly NullJournal Instance = new();

    private NullJournal()
    {
    }

    public string? CheckpointId => null;

    public long BytesConfirmed => 0;

    public IObjectJournal For(int fileIndex) => this;

    public void PartsReconciled(int fileIndex, IReadOnlyList<CompletedPart> kept)
    {
    }

    public void FileRestarted(int fileIndex)
    {
    }

    public void FileStored(int fileIndex)
    {
    }

    public IReadOnlyList<(string Key, string UploadId)> OpenUploads() => [];

    public ValueTask CommitSendingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask CommitRefusedAsync() => ValueTask.CompletedTask;

    public ValueTask<bool> CommittedAsync(VodUploadResponse response) => ValueTask.FromResult(false);

    public ValueTask FlushAsync() => ValueTask.CompletedTask;

    public ValueTask DeleteAsync() => ValueTask.CompletedTask;

    ValueTask IObjectJournal.InitiatedAsync(string uploadId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    void IObjectJournal.PartCompleted(CompletedPart part)
    {
    }

    void IObjectJournal.Completed(long putBytes)
    {
    }
}
