using VodRaw.Api;
using VodRaw.Checkpoints;
using VodRaw.Http;

namespace VodRaw.Upload;

/// <summary>A session ApplyUpload just opened: every file starts from nothing.</summary>
internal sealed class FreshSession(ApplyUploadResult apply, CosStorage storage, IReadOnlyList<string> keys, IUploadJournal journal, long partSize) : IUploadSession
{
    public ApplyUploadResult Apply { get; } = apply;

    public CosStorage Storage { get; } = storage;

    public IReadOnlyList<string> Keys { get; } = keys;

    public IUploadJournal Journal { get; } = journal;

    public long PartSize { get; } = partSize;

    public bool CommitSentBefore => false;

    public FileStart StartOf(int index) => FileStart.FromNothing;

    /// <summary>A fresh session's failure is the upload's; there is nothing older to fall back from.</summary>
    public RecoveryDecision AfterFailure(Exception failure) => new(RecoveryAction.Fail, "a fresh session's failure is the upload's");
}
