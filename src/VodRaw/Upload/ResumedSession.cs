using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using VodRaw.Api;
using VodRaw.Checkpoints;
using VodRaw.Cos;
using VodRaw.Hashing;
using VodRaw.Http;
using VodRaw.Transfer;

namespace VodRaw.Upload;

/// <summary>
/// A session restored from a checkpoint and reconciled with COS before anything is sent: for each file, what COS
/// holds (ListParts, checked against the checkpoint or the local bytes; a HEAD for an upload that is gone) decides
/// where it starts. A session that can no longer be finished (credential expired or refused, VOD session unknown, a
/// file changed) is abandoned: its multipart uploads are aborted where that is possible, those that are not are
/// reported beside the upload's result, never in its way, and the checkpoint goes.
/// </summary>
internal sealed class ResumedSession : IUploadSession
{
    private readonly CheckpointStore _store;
    private readonly CheckpointDocument _document;
    private readonly CheckpointRecorder _recorder;
    private readonly FileStart[] _starts;
    private readonly TimeSpan _abortTimeout;

    private ResumedSession(CheckpointStore store, CheckpointDocument document, CheckpointRecorder recorder, ApplyUploadResult apply, CosStorage storage, TimeSpan abortTimeout)
    {
        _store = store;
        _document = document;
        _recorder = recorder;
        Apply = apply;
        Storage = storage;
        _abortTimeout = abortTimeout;
        _starts = new FileStart[document.Files.Count];
        Array.Fill(_starts, FileStart.FromNothing);
        Keys = document.Files.ConvertAll(f => f.Key);
    }

    public ApplyUploadResult Apply { get; }

    public CosStorage Storage { get; }

    public IReadOnlyList<string> Keys { get; }

    public IUploadJournal Journal => _recorder;

    public long PartSize => _document.PartSize;

    public bool CommitSentBefore => _document.CommitSent;

    public FileStart StartOf(int index) => _starts[index];

    public RecoveryDecision AfterFailure(Exception failure) => RetryPolicy.AfterResumedFailure(failure, _document.CommitSent);

    /// <summary>
    /// For a commit in flight: a file that changed since that commit was sent (null when none did). The commit is still
    /// settled (it may hold the content from before the change); the file as it is now is then uploaded as new media.
    /// </summary>
    public string? ChangedPath { get; private set; }

    /// <summary>
    /// After a commit in flight was settled for content that changed since: says so (with the FileId, so it is never
    /// forgotten) and removes the record, so that the file as it is now is uploaded in a fresh session.
    /// </summary>
    public async Task SupersededAsync(VodUploadResponse settled)
    {
        await _recorder.DeleteAsync().ConfigureAwait(false);
        _store.Report(new CheckpointNotice(CheckpointNoticeKind.StartingFresh, _document.Id,
            $"{ChangedPath} changed after an earlier run sent CommitUpload: that commit is settled as FileId {settled.FileId} (the content from before the change); uploading the file as it is now as new media."));
    }

    /// <summary>What opening a checkpoint gave: nothing to resume, an earlier run's committed result, or a session.</summary>
    public readonly record struct Opening(ResumedSession? Session, VodUploadResponse? Committed);

    /// <summary>Everything opening a checkpoint needs from the upload.</summary>
    public sealed record Inputs(
        CheckpointStore Store,
        ResumeIdentity Identity,
        IReadOnlyList<UploadFile> Files,
        Func<ApplyUploadResult, CosStorage> CreateStorage,
        HttpSender Sender,
        VodUploadClientOptions Options,
        long PutBytesPerWrite,
        List<OpenMultipartUpload> LeftOpen)
    {
        /// <summary>The session being opened, from the moment it exists until it is given up: a cancel while it is reconciled pauses it.</summary>
        public ResumedSession? Opening { get; set; }
    }

    /// <summary>
    /// The live checkpoint of this very upload, checked (identity, credential, fingerprints) and reconciled with COS;
    /// or the recorded result of an earlier commit; or nothing (start fresh), after abandoning what cannot be resumed.
    /// </summary>
    public static async Task<Opening> TryOpenAsync(Inputs inputs, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (store, identity, files, options) = (inputs.Store, inputs.Identity, inputs.Files, inputs.Options);
        var (document, _) = store.Load(identity.Id);
        if (document is null)
        {
            return default;
        }

        if (!identity.Describes(document) || document.Files.Count != files.Count)
        {
            store.SetAside(identity.Id, "it describes a different request or other files");
            return default;
        }

        if (document.Committed is { } committed)
        {
            return new Opening(null, AlreadyCommitted(store, identity, document, committed));
        }

        TempCertificate? temp = null;
        if (document.Session.Credential is { } sealedCredential && (temp = identity.OpenCredential(sealedCredential)) is null)
        {
            store.SetAside(identity.Id, "its credential does not decrypt with this SecretKey");
            return default;
        }

        var apply = document.Session.ToApplyResult(temp);
        var session = new ResumedSession(store, document, new CheckpointRecorder(store, document, options.TimeProvider, inputs.PutBytesPerWrite), apply,
            inputs.CreateStorage(apply), options.AbortTimeout);
        inputs.Opening = session;
        if (document.CommitSent)
        {
            // CommitUpload may have been applied: nothing is transferred; the commit is sent again with the same session
            // key, even when a file changed since (that commit is settled first, so its FileId is never forgotten).
            session.ChangedPath = Enumerable.Range(0, files.Count).Where(i => !identity.Fingerprints[i].Matches(document.Files[i].Fingerprint))
                .Select(i => document.Files[i].Path).FirstOrDefault();
            store.Report(new CheckpointNotice(CheckpointNoticeKind.Resuming, document.Id,
                "an earlier run sent CommitUpload for this upload and got no answer; asking VOD again with the same session."));
            return new Opening(session, null);
        }

        if (temp is { ExpiredTime: > 0 } && CredentialExpiryGuard.HasExpired(DateTimeOffset.FromUnixTimeSeconds(temp.ExpiredTime), options.CredentialExpiryMargin, options.TimeProvider.GetUtcNow()))
        {
            await session.AbandonAsync(inputs, string.Create(CultureInfo.InvariantCulture,
                $"the interrupted upload's temporary credential expired at {DateTimeOffset.FromUnixTimeSeconds(temp.ExpiredTime).UtcDateTime:u}"), tryAbort: false).ConfigureAwait(false);
            return default;
        }

        for (var i = 0; i < files.Count; i++)
        {
            if (!identity.Fingerprints[i].Matches(document.Files[i].Fingerprint))
            {
                await session.AbandonAsync(inputs, $"{document.Files[i].Path} changed since the interrupted upload, and old parts are never mixed with new content", tryAbort: true)
                    .ConfigureAwait(false);
                return default;
            }
        }

        try
        {
            await session.ReconcileAsync(inputs, cancellationToken).ConfigureAwait(false);
        }
        catch (VodRawException e) when (session.AfterFailure(e) is { Action: RecoveryAction.StartFresh } decision)
        {
            await session.AbandonAsync(inputs, RecoveryDecision.Describe(decision, e.Code), tryAbort: e is not CredentialExpiredException).ConfigureAwait(false);
            return default;
        }

        var info = CheckpointStore.Describe(document);
        store.Report(new CheckpointNotice(CheckpointNoticeKind.Resuming, document.Id, string.Create(CultureInfo.InvariantCulture,
            $"resuming: COS holds {info.PartsDone} of {info.PartsTotal} parts ({info.FilesDone} of {info.FilesTotal} files complete); {info.BytesTotal - info.BytesDone} bytes go up."))
        {
            PartsDone = info.PartsDone,
            PartsTotal = info.PartsTotal,
            Bytes = info.BytesDone,
        });
        return new Opening(session, null);
    }

    /// <summary>
    /// Gives the session up: aborts its multipart uploads on a timer of its own (unless its credential cannot sign any
    /// more), names those left open beside the upload's result, deletes the checkpoint and says what follows.
    /// </summary>
    public async Task AbandonAsync(Inputs inputs, string reason, bool tryAbort)
    {
        var leftOpen = new List<OpenMultipartUpload>();
        if (!tryAbort)
        {
            foreach (var (key, uploadId) in _recorder.OpenUploads())
            {
                leftOpen.Add(new OpenMultipartUpload(Storage.Bucket, key, uploadId, reason + "; COS's lifecycle rules remove it, or abort it with a valid credential"));
            }
        }
        else
        {
            // Every upload under the key of a file not complete: the recorded one, and one an Initiate whose reply never
            // arrived (a crash or a cancel cut it off) created without a record.
            foreach (var key in _document.Files.Where(f => !f.Complete && PartCount(f) > 1).Select(f => f.Key))
            {
                leftOpen.AddRange(await Storage.Target(inputs.Sender, key).AbortAllUploadsAsync("an abandoned checkpoint's upload").ConfigureAwait(false));
            }
        }

        await _recorder.DeleteAsync().ConfigureAwait(false);
        inputs.Opening = null;
        lock (inputs.LeftOpen)
        {
            inputs.LeftOpen.AddRange(leftOpen);
        }

        var total = _document.Files.Sum(f => f.Fingerprint.Size);
        var open = leftOpen.Count == 0 ? string.Empty : " " + OpenMultipartUpload.Describe(leftOpen);
        _store.Report(new CheckpointNotice(CheckpointNoticeKind.StartingFresh, _document.Id, string.Create(CultureInfo.InvariantCulture,
            $"the interrupted upload cannot be finished: {reason}; starting a fresh upload, all {total} bytes go up again.{open}"))
        {
            Bytes = total,
        });
    }

    /// <summary>How many parts a file of this session is cut into (1: a single PUT, never a multipart upload).</summary>
    private int PartCount(FileRecord file) => CheckpointStore.PartCount(file.Fingerprint.Size, _document.PartSize);

    /// <summary>Asks COS what it holds of every file, in parallel, before the transfer starts.</summary>
    private Task ReconcileAsync(Inputs inputs, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(Enumerable.Range(0, _document.Files.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (index, ct) =>
        {
            var file = inputs.Files[index];
            using var opened = file.Source is null ? new FilePartSource(file.Path) : null;
            _starts[index] = await ReconcileFileAsync(index, file.Source ?? opened!, Storage.Target(inputs.Sender, Keys[index]), inputs.LeftOpen, ct).ConfigureAwait(false);
        });

    /// <summary>
    /// What COS still holds of one file: the parts to keep (a multipart state to continue), or that the object is
    /// stored already (a Complete applied before the crash recorded it).
    /// </summary>
    private async Task<FileStart> ReconcileFileAsync(int index, IPartSource source, IMultipartTarget target, List<OpenMultipartUpload> leftOpen, CancellationToken cancellationToken)
    {
        var record = _document.Files[index];
        var size = record.Fingerprint.Size;
        if (record.Complete)
        {
            return new FileStart(true, size, null);
        }

        var plan = PartPlan.Create(size, _document.PartSize);
        if (plan.IsSinglePut)
        {
            return FileStart.FromNothing; // a PUT is simply sent again
        }

        if (record.UploadId is not { } uploadId)
        {
            // Not started, or a crash came between Initiate and its record: abort what COS holds under the key.
            var open = await target.AbortAllUploadsAsync("left by an interrupted run before its UploadId was recorded").ConfigureAwait(false);
            lock (leftOpen)
            {
                leftOpen.AddRange(open);
            }

            return FileStart.FromNothing;
        }

        var listed = await target.ListPartsAsync(uploadId, cancellationToken).ConfigureAwait(false);
        if (listed is null)
        {
            // The upload is gone: completed before the checkpoint said so, or aborted.
            if (await target.IsStoredAsync(size, await WholeCrcAsync(source, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                _recorder.FileStored(index);
                return new FileStart(true, size, null);
            }

            _recorder.FileRestarted(index);
            return FileStart.FromNothing;
        }

        var kept = await PartReconciler.ReconcileAsync(plan, record.Parts, listed, (n, ct) => HashLocalAsync(source, plan, n, ct), cancellationToken).ConfigureAwait(false);
        var state = new MultipartState(uploadId);
        long bytes = 0;
        foreach (var part in kept)
        {
            state.Add(part);
            bytes += part.Size;
        }

        _recorder.PartsReconciled(index, kept);
        return new FileStart(false, bytes, state);
    }

    /// <summary>The recorded result of an upload an earlier run committed — or null (a fresh upload) when a file changed since, or the record was dropped.</summary>
    private static VodUploadResponse? AlreadyCommitted(CheckpointStore store, ResumeIdentity identity, CheckpointDocument document, CommittedRecord committed)
    {
        if (store.ReplaceCommitted)
        {
            store.Delete(document.Id);
            store.Report(new CheckpointNotice(CheckpointNoticeKind.StartingFresh, document.Id,
                $"already committed by an earlier run as FileId {committed.FileId}; uploading it again as new media, as asked."));
            return null;
        }

        for (var i = 0; i < document.Files.Count; i++)
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
            $"already uploaded as FileId {committed.FileId} by an earlier run; nothing sent."));
        return new VodUploadResponse(committed.FileId, committed.MediaUrl, committed.CoverUrl, committed.RequestId ?? string.Empty)
        {
            BytesUploaded = committed.BytesUploaded,
            BytesResumed = committed.BytesResumed,
            AlreadyCommitted = true,
            CheckpointId = document.Id,
        };
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
}
