using System.Globalization;
using VodRaw.Api;
using VodRaw.Checkpoints;

namespace VodRaw.Upload;

/// <summary>The upload's checkpoint outside the session: one run per checkpoint, aborting the session's uploads, giving a checkpoint up.</summary>
internal sealed partial class UploadOperation
{
    /// <summary>
    /// Claims checkpoint <paramref name="id"/> for this run (<see cref="CheckpointLock"/>); another run using it right
    /// now is an error raised before anything is sent. Its message says only what is true: the other run reports the
    /// result, and (when the store keeps committed uploads) running this again after it finished returns that result
    /// instead of uploading twice.
    /// </summary>
    private static CheckpointLock Claim(CheckpointStore store, string id) =>
        CheckpointLock.TryAcquire(store.Directory, id) ?? throw new VodRawException(VodRawErrorCodes.CheckpointInUse,
            $"Another run is uploading the same request right now (checkpoint {id} in {store.Directory} is in use); nothing was sent by this one. That run reports the FileId when it finishes"
            + (store.KeepCommitted
                ? string.Create(CultureInfo.InvariantCulture, $"; running this command again after that returns the same FileId without uploading again (the result is kept for {store.CommittedRetention.TotalDays:0.#} days).")
                : "; do not run this again once it has finished, or the media is uploaded a second time."))
        {
            IsTransient = store.KeepCommitted,
            CheckpointId = id,
        };

    /// <summary>Aborts every multipart upload a session's journal names (best effort, each on a timer of its own).</summary>
    private async Task AbortRecordedAsync(IUploadSession session)
    {
        foreach (var (key, uploadId) in session.Journal.OpenUploads())
        {
            using var cts = new CancellationTokenSource(Options.AbortTimeout);
            try
            {
                await session.Storage.Target(_context.Sender, key).AbortAsync(uploadId, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VodRawException or OperationCanceledException)
            {
                _ledger.LeftOpen([new OpenMultipartUpload(session.Storage.Bucket, key, uploadId, "a checkpoint's upload could not be aborted: " + e.Message)]);
            }
        }
    }

    /// <summary>
    /// Gives up a checkpoint: aborts the multipart uploads it names and deletes it. Returns the uploads that could not
    /// be aborted (the checkpoint is then kept, to try again), none when all went; an expired credential cannot abort
    /// anything, so the checkpoint is deleted and its uploads are left to COS's lifecycle rules. A checkpoint whose
    /// CommitUpload may have been applied is refused unless <paramref name="force"/>: it is the only record of that
    /// upload.
    /// </summary>
    public async Task<IReadOnlyList<OpenMultipartUpload>> AbortCheckpointAsync(CheckpointStore store, string id, bool force, CancellationToken cancellationToken)
    {
        await TakeCredentialAsync(cancellationToken).ConfigureAwait(false);
        store.PathOf(id); // a malformed id is refused before a lock file is named after it
        using var claim = Claim(store, id);
        var (document, problem) = store.Load(id);
        if (document is null)
        {
            throw new ArgumentException(problem is null ? $"There is no checkpoint {id} in {store.Directory}." : $"Checkpoint {id} cannot be used ({problem}); it was set aside.", nameof(id));
        }

        if (document.CommitSent && document.Committed is null && !force)
        {
            throw new VodRawException(VodRawErrorCodes.CommitOutcomeUnknown,
                $"Checkpoint {id} was kept because CommitUpload was sent and its outcome is unknown: the media may already be in VOD (MediaStoragePath {document.Session.MediaStoragePath}). "
                + "Running the same upload again asks VOD with the same session; this checkpoint is the only record of it, so it was left alone. Abort it with --force to drop it anyway.")
            {
                CheckpointId = id,
            };
        }

        TempCertificate? temp = null;
        if (document.Session.Credential is { } sealedCredential && (temp = ResumeIdentity.OpenCredential(Credential, id, sealedCredential)) is null)
        {
            throw new ArgumentException($"Checkpoint {id} belongs to another SecretKey: its credential does not decrypt with this one.", nameof(id));
        }

        var recorder = new CheckpointRecorder(store, document, Options.TimeProvider);
        var open = recorder.OpenUploads();
        if (temp is { ExpiredTime: > 0 } && Cos.CredentialExpiryGuard.HasExpired(DateTimeOffset.FromUnixTimeSeconds(temp.ExpiredTime), TimeSpan.Zero, Options.TimeProvider.GetUtcNow()))
        {
            await recorder.DeleteAsync().ConfigureAwait(false);
            return open.Select(u => new OpenMultipartUpload(document.Session.Bucket, u.Key, u.UploadId, "the checkpoint's temporary credential has expired; COS's lifecycle rules remove the upload")).ToList();
        }

        cancellationToken.ThrowIfCancellationRequested();
        var apply = document.Session.ToApplyResult(temp);
        await AbortRecordedAsync(new FreshSession(apply, CreateStorage(apply, () => null), document.Files.ConvertAll(f => f.Key), recorder, document.PartSize)).ConfigureAwait(false);
        var leftOpen = _ledger.OpenUploads;
        if (leftOpen.Count == 0)
        {
            await recorder.DeleteAsync().ConfigureAwait(false);
        }

        return leftOpen;
    }
}
