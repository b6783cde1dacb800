using VodRaw.Transfer;

namespace VodRaw.Checkpoints;

/// <summary>
/// What an upload session records as it goes, so that an interrupted upload can resume: a checkpoint
/// (<see cref="CheckpointRecorder"/>) or, when checkpoints are off, <see cref="NullJournal"/>, which records nothing.
/// The transfer and commit code call it the same way in both cases; only the facts a resume cannot rebuild (a new
/// UploadId, CommitUpload about to be sent, the result) are awaited, everything else is written off the part path.
/// </summary>
internal interface IUploadJournal
{
    /// <summary>The checkpoint this journal writes; null when nothing is recorded.</summary>
    string? CheckpointId { get; }

    /// <summary>Whether an interrupted upload can be continued from what this journal recorded.</summary>
    bool Resumable => CheckpointId is not null;

    /// <summary>The journal of one file of the upload (UploadId, confirmed parts, stored).</summary>
    IObjectJournal For(int fileIndex);

    /// <summary>A resume kept these parts of file <paramref name="fileIndex"/> (what COS holds and the local bytes agree on).</summary>
    void PartsReconciled(int fileIndex, IReadOnlyList<CompletedPart> kept);

    /// <summary>File <paramref name="fileIndex"/>'s multipart upload is gone: the file starts over under the same session.</summary>
    void FileRestarted(int fileIndex);

    /// <summary>File <paramref name="fileIndex"/> is stored already (a Complete applied before the last write said so).</summary>
    void FileStored(int fileIndex);

    /// <summary>Bytes COS confirmed so far (parts and whole files), as recorded.</summary>
    long BytesConfirmed { get; }

    /// <summary>The multipart uploads the journal names that are not complete (key, UploadId).</summary>
    IReadOnlyList<(string Key, string UploadId)> OpenUploads();

    /// <summary>CommitUpload is about to be sent: recorded durably first, so a later run knows it may have been applied.</summary>
    ValueTask CommitSendingAsync(CancellationToken cancellationToken);

    /// <summary>CommitUpload was refused on its first attempt, with no reply lost: it was not applied, so the commit is no longer in flight.</summary>
    ValueTask CommitRefusedAsync();

    /// <summary>
    /// CommitUpload returned: the journal keeps <paramref name="response"/> as the upload's record (when the store keeps
    /// committed uploads; returns true) or removes itself (false).
    /// </summary>
    ValueTask<bool> CommittedAsync(VodUploadResponse response);

    /// <summary>Writes what is not yet written (the upload paused or failed and may be resumed).</summary>
    ValueTask FlushAsync();

    /// <summary>The upload will never resume from this journal (it was committed elsewhere, abandoned or changed): it goes.</summary>
    ValueTask DeleteAsync();
}
