using VodRaw.Api;
using VodRaw.Checkpoints;
using VodRaw.Http;
using VodRaw.Transfer;

namespace VodRaw.Upload;

/// <summary>
/// One upload session, opened fresh (<see cref="FreshSession"/>: ApplyUpload) or resumed from a checkpoint
/// (<see cref="ResumedSession"/>: reconciled with COS before anything is sent). The transfer and the commit use it the
/// same way whichever it is: where each file starts, the journal to record progress in, whether a CommitUpload of
/// this session may already have been applied. States (spec/resume.md): fresh or resumed → commit in flight →
/// committed; or abandoned (a resumed session that can no longer be finished).
/// </summary>
internal interface IUploadSession
{
    /// <summary>The session ApplyUpload opened: VodSessionKey, bucket, storage paths, temporary credential.</summary>
    ApplyUploadResult Apply { get; }

    /// <summary>Where the session's objects go.</summary>
    CosStorage Storage { get; }

    /// <summary>The COS key of each file, in the upload's file order.</summary>
    IReadOnlyList<string> Keys { get; }

    /// <summary>Where progress is recorded (a checkpoint, or nothing).</summary>
    IUploadJournal Journal { get; }

    /// <summary>The part size of the session (a resumed one keeps the size its parts were cut to).</summary>
    long PartSize { get; }

    /// <summary>Where file <paramref name="index"/> starts: from nothing, stored already, or a multipart upload to continue.</summary>
    FileStart StartOf(int index);

    /// <summary>Whether an earlier run of this session sent CommitUpload (it may have been applied): nothing is to be transferred.</summary>
    bool CommitSentBefore { get; }

    /// <summary>What a failure of this session means: an ordinary failure, or (resumed) that the session is gone and a fresh one may start.</summary>
    RecoveryDecision AfterFailure(Exception failure);
}

/// <summary>Where one file of a session starts.</summary>
/// <param name="Stored">The object is stored already: nothing is sent.</param>
/// <param name="KeptBytes">Bytes COS holds for it that are not sent again.</param>
/// <param name="Continue">A multipart upload to continue, with the parts COS confirmed; null to start afresh.</param>
internal sealed record FileStart(bool Stored, long KeptBytes, MultipartState? Continue)
{
    public static readonly FileStart FromNothing = new(false, 0, null);
}
