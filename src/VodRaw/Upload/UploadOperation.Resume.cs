using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using VodRaw.Api;
using VodRaw.Checkpoints;
using VodRaw.Cos;
using VodRaw.Hashing;
using VodRaw.Transfer;

namespace VodRaw.Upload;

/// <summary>Resuming from a checkpoint: is it usable, what does COS still hold, what to do when the session is gone.</summary>
internal sealed partial class UploadOperation
{
    /// <summary>
    /// Claims checkpoint <paramref name="id"/> for this run (<see cref="CheckpointLock"/>); another run using it right
    /// now is an error raised before anything is sent.
    /// </summary>
    private static CheckpointLock Claim(CheckpointStore store, string id) =>
        CheckpointLock.TryAcquire(store.Directory, id) ?? throw new VodRawException(VodRawErrorCodes.CheckpointInUse,
            $"Another upload of the same request is running right now (checkpoint {id} in {store.Directory} is in use); nothing was sent. Wait for it to finish, then run this one again: it resumes or reports the result.")
        {
            IsTransient = true,
            CheckpointId = id,
        };

    /// <summary>A live checkpoint of this very upload, checked (fingerprints, credential) — or null to start fresh.</summary>
    private Task<ResumedUpload?> TryResumeAsync(CheckpointStore store, ResumeIdentity identity, ValidatedUpload upload, int fileCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (document, _) = store.Load(identity.Id);
        if (document is null)
        {
            return Task.FromResult<ResumedUpload?>(null);
        }

        if (!identity.Describes(document) || document.Files.Count != fileCount)
        {
            store.SetAside(identity.Id, "it describes a different request or other files");
            return Task.FromResult<ResumedUpload?>(null);
        }

        if (document.Committed is { } committed)
        {
            return Task.FromResult(AlreadyCommitted(store, identity, document, committed, fileCount));
        }

        TempCertificate? temp = null;
        if (document.Session.Credential is { } sealedCredential)
        {
            temp = identity.OpenCredential(sealedCredential);
            if (temp is null)
            {
                store.SetAside(identity.Id, "its credential does not decrypt with this SecretKey");
                return Task.FromResult<ResumedUpload?>(null);
            }
        }

        var info = CheckpointStore.Describe(document);
        var apply = document.Session.ToApplyResult(temp);
        var recorder = new CheckpointRecorder(store, document, Options.TimeProvider);
        if (temp is { ExpiredTime: > 0 } && DateTimeOffset.FromUnixTimeSeconds(temp.ExpiredTime) - Options.CredentialExpiryMargin <= Options.TimeProvider.GetUtcNow())
        {
            recorder.Delete();
            store.Report(new CheckpointNotice(CheckpointNoticeKind.StartingFresh, document.Id, string.Create(CultureInfo.InvariantCulture,
                $"the interrupted upload's temporary credential expired at {DateTimeOffset.FromUnixTimeSeconds(temp.ExpiredTime).UtcDateTime:u}, so it cannot be resumed (its multipart uploads are removed by COS's lifecycle rules); starting fresh: {info.BytesDone} bytes go up again."))
            {
                Bytes = info.BytesDone,
            });
            return Task.FromResult<ResumedUpload?>(null);
        }

        for (var i = 0; i < fileCount; i++)
        {
            if (!identity.Fingerprints[i].Matches(document.Files[i].Fingerprint))
            {
                return StartFreshAfterChangeAsync(store, recorder, apply, document.Files[i].Path, info.BytesDone);
            }
        }

        store.Report(new CheckpointNotice(CheckpointNoticeKind.Resuming, document.Id, string.Create(CultureInfo.InvariantCulture,
            $"resuming: {info.PartsDone} of {info.PartsTotal} parts already uploaded ({info.FilesDone} of {info.FilesTotal} files complete)."))
        {
            PartsDone = info.PartsDone,
            PartsTotal = info.PartsTotal,
            Bytes = info.BytesDone,
        });
        return Task.FromResult<ResumedUpload?>(new ResumedUpload(document, apply, new CheckpointRecorder(store, document, Options.TimeProvider, upload.PlannedConcurrency * document.PartSize)));
    }

    /// <summary>The recorded result of an upload an earlier run committed — or null (a fresh upload) when a file changed since.</summary>
    private ResumedUpload? AlreadyCommitted(CheckpointStore store, ResumeIdentity identity, CheckpointDocument document, CommittedRecord committed, int fileCount)
    {
        for (var i = 0; i < fileCount; i++)
        {
            if (!identity.Fingerprints[i].Matches(document.Files[i].Fingerprint))
            {
                store.Delete(document.Id);
                store.Report(new CheckpointNotice(CheckpointNoticeKind.StartingFresh, document.Id,
                    $"{document.Files[i].Path} changed since it was committed as FileId {committed.FileId}: uploading it again as new media."));
                return null;
            }
        }

        store.Report(new CheckpointNotice(CheckpointNoticeKind.AlreadyCommitted, document.Id,
            $"already committed by an earlier run as FileId {committed.FileId}; nothing sent."));
        var response = new VodUploadResponse(committed.FileId, committed.MediaUrl, committed.CoverUrl, committed.RequestId ?? string.Empty)
        {
            BytesUploaded = committed.BytesUploaded,
            BytesResumed = committed.BytesResumed,
            AlreadyCommitted = true,
            CheckpointId = document.Id,
        };
        return new ResumedUpload(document, document.Session.ToApplyResult(null), new CheckpointRecorder(store, document, Options.TimeProvider)) { Committed = response };
    }

    private async Task<ResumedUpload?> StartFreshAfterChangeAsync(CheckpointStore store, CheckpointRecorder recorder, ApplyUploadResult apply, string path, long bytesDone)
    {
        await AbortRecordedAsync(recorder, CreateStorage(apply, () => null)).ConfigureAwait(false);
        recorder.Delete();
        store.Report(new CheckpointNotice(CheckpointNoticeKind.StartingFresh, recorder.Id, string.Create(CultureInfo.InvariantCulture,
            $"{path} changed since the interrupted upload and its old parts are never mixed with new content: starting fresh ({bytesDone} bytes go up again)."))
        {
            Bytes = bytesDone,
        });
        return null;
    }

    /// <summary>Whether a failure of a resumed upload means its session (credential, multipart uploads, VOD session) is gone.</summary>
    private static bool SessionGone(VodRawException e, ResumedUpload resumed) => e switch
    {
        CredentialExpiredException => true,
        CosException { Code: "AccessDenied" or "InvalidAccessKeyId" or "ExpiredToken" or "InvalidToken" } => true,
        VodApiException { Code: "InvalidParameterValue.VodSessionKey" } => !resumed.Document.CommitSent,
        _ => false,
    };

    /// <summary>Aborts every multipart upload a checkpoint names (best effort, each on a timer of its own).</summary>
    private async Task AbortRecordedAsync(CheckpointRecorder recorder, CosStorage? storage)
    {
        if (storage is null)
        {
            return;
        }

        foreach (var (key, uploadId) in recorder.OpenUploads())
        {
            using var cts = new CancellationTokenSource(Options.AbortTimeout);
            try
            {
                await storage.Target(_context.Sender, key).AbortAsync(uploadId, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VodRawException or OperationCanceledException)
            {
                _ledger.LeftOpen([new OpenMultipartUpload(storage.Bucket, key, uploadId, "a checkpoint's upload could not be aborted: " + e.Message)]);
            }
        }
    }

    /// <summary>
    /// What COS still holds of one file of a resumed upload: the parts to keep (a multipart state to continue), or
    /// that the object is stored already (a Complete applied before the crash recorded it).
    /// </summary>
    private async Task<(MultipartState? Kept, long KeptBytes, bool Stored)> ReconcileAsync(
        FileRecord record, IPartSource source, CosObjectTarget target, long partSize, CheckpointRecorder recorder, int index, CancellationToken cancellationToken)
    {
        var size = source.Length!.Value;
        var plan = PartPlan.Create(size, partSize);
        if (plan.IsSinglePut)
        {
            return (null, 0, false); // a PUT is simply sent again
        }

        if (record.UploadId is not { } uploadId)
        {
            // Not started, or a crash came between Initiate and its record: abort what COS holds under the key.
            _ledger.LeftOpen(await target.AbortAllUploadsAsync().ConfigureAwait(false));
            return (null, 0, false);
        }

        var listed = await target.ListPartsAsync(uploadId, cancellationToken).ConfigureAwait(false);
        if (listed is null)
        {
            // The upload is gone: completed before the checkpoint said so, or aborted.
            if (await target.IsStoredAsync(size, await WholeCrcAsync(source, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                return (null, size, true);
            }

            recorder.FileRestarted(index);
            return (null, 0, false);
        }

        var kept = await PartReconciler.ReconcileAsync(plan, record.Parts, listed, (n, ct) => HashLocalAsync(source, plan, n, ct), cancellationToken).ConfigureAwait(false);
        var state = new MultipartState(uploadId);
        long bytes = 0;
        foreach (var part in kept)
        {
            state.Add(part);
            bytes += part.Size;
        }

        recorder.PartsReconciled(index, kept);
        return (state, bytes, false);
    }

    /// <summary>MD5 (lowercase hex, as COS's part ETag) and CRC-64 of one local part.</summary>
    private static async ValueTask<(string Md5Hex, ulong Crc64)> HashLocalAsync(IPartSource source, PartPlan plan, int partNumber, CancellationToken cancellationToken)
    {
        var (offset, size) = plan.GetPart(partNumber - 1);
        var buffer = ArrayPool<byte>.Shared.Rent((int)size);
        try
        {
            var (n, crc) = await source.ReadHashedAsync(offset, buffer.AsMemory(0, (int)size), cancellationToken).ConfigureAwait(false);
            return n == size ? (Hex.ToLowerString(MD5.HashData(buffer.AsSpan(0, n))), crc) : (string.Empty, 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<ulong> WholeCrcAsync(IPartSource source, CancellationToken cancellationToken)
    {
        const int Chunk = 4 * 1024 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            ulong crc = 0;
            long offset = 0;
            while (true)
            {
                var (n, chunkCrc) = await source.ReadHashedAsync(offset, buffer.AsMemory(0, Chunk), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return crc;
                }

                crc = Crc64.Combine(crc, chunkCrc, n);
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Gives up a checkpoint: aborts the multipart uploads it names and deletes it. Returns the uploads that could not
    /// be aborted (the checkpoint is then kept, to try again), none when all went; an expired credential cannot abort
    /// anything, so the checkpoint is deleted and its uploads are left to COS's lifecycle rules.
    /// </summary>
    public async Task<IReadOnlyList<OpenMultipartUpload>> AbortCheckpointAsync(CheckpointStore store, string id, CancellationToken cancellationToken)
    {
        await TakeCredentialAsync(cancellationToken).ConfigureAwait(false);
        store.PathOf(id); // a malformed id is refused before a lock file is named after it
        using var claim = Claim(store, id);
        var (document, problem) = store.Load(id);
        if (document is null)
        {
            throw new ArgumentException(problem is null ? $"There is no checkpoint {id} in {store.Directory}." : $"Checkpoint {id} cannot be used ({problem}); it was set aside.", nameof(id));
        }

        TempCertificate? temp = null;
        if (document.Session.Credential is { } sealedCredential && (temp = ResumeIdentity.OpenCredential(Credential, id, sealedCredential)) is null)
        {
            throw new ArgumentException($"Checkpoint {id} belongs to another SecretKey: its credential does not decrypt with this one.", nameof(id));
        }

        var recorder = new CheckpointRecorder(store, document, Options.TimeProvider);
        var open = recorder.OpenUploads();
        if (temp is { ExpiredTime: > 0 } && DateTimeOffset.FromUnixTimeSeconds(temp.ExpiredTime) <= Options.TimeProvider.GetUtcNow())
        {
            recorder.Delete();
            return open.ConvertAll(u => new OpenMultipartUpload(document.Session.Bucket, u.Key, u.UploadId, "the checkpoint's temporary credential has expired; COS's lifecycle rules remove the upload"));
        }

        cancellationToken.ThrowIfCancellationRequested();
        await AbortRecordedAsync(recorder, CreateStorage(document.Session.ToApplyResult(temp), () => null)).ConfigureAwait(false);
        var leftOpen = _ledger.OpenUploads;
        if (leftOpen.Count == 0)
        {
            recorder.Delete();
        }

        return leftOpen;
    }

    /// <summary>A checkpoint accepted for resuming, the session it restores, and its live recorder.</summary>
    private sealed record ResumedUpload(CheckpointDocument Document, ApplyUploadResult Apply, CheckpointRecorder Recorder)
    {
        /// <summary>The recorded result, when an earlier run committed this upload (nothing is to be sent).</summary>
        public VodUploadResponse? Committed { get; init; }
    }
}
