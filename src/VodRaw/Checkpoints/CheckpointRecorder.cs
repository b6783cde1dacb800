using VodRaw.Transfer;

namespace VodRaw.Checkpoints;

/// <summary>
/// The live checkpoint of one upload (an <see cref="IUploadJournal"/>): the transfer tells it what COS confirmed, and
/// it writes the file — awaited for the facts a resume cannot rebuild (a new UploadId, CommitUpload about to be sent,
/// the result), otherwise in the background so no part waits for a disk flush: at most once a second for parts, soon
/// after a multipart object is completed, and when whole-object PUTs (segments) worth one memory budget (parts in
/// flight × part size) are stored — so a crash sends again at most about that much of small files. (A write per N
/// parts was measured: at 1 MiB parts it cost 24 % of the throughput, re-encoding a growing document tens of times a
/// second; benchmarks/README.md.) Parts of multipart uploads confirmed since the last write are recovered by the
/// resume (ListParts and the local bytes' MD5), not sent again. Every write runs on the thread pool, never on the
/// caller's thread, and no method blocks on one. A write that fails is reported once and the upload goes on.
/// Thread-safe.
/// </summary>
internal sealed class CheckpointRecorder : IUploadJournal
{
    private readonly CheckpointStore _store;
    private readonly CheckpointDocument _document;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CheckpointEncoder _encoder = new(); // used only while _writing is held
    private long _lastWrite;
    private readonly long _putBytesPerWrite;
    private long _putBytesSinceWrite;
    private bool _writeSoon;
    private bool _dirty;
    private bool _deleted;
    private int _writeFailed;
    private Task _background = Task.CompletedTask;

    public CheckpointRecorder(CheckpointStore store, CheckpointDocument document, TimeProvider time, long putBytesPerWrite = 32L << 20)
    {
        _store = store;
        _document = document;
        _time = time;
        _putBytesPerWrite = putBytesPerWrite;
        _lastWrite = time.GetTimestamp();
    }

    public string Id => _document.Id;

    public string? CheckpointId => _document.Id;

    /// <summary>Writes it now (the first write of a new upload, before any byte goes to COS).</summary>
    public ValueTask WriteNowAsync()
    {
        lock (_gate)
        {
            _dirty = true;
        }

        return WriteAsync();
    }

    public IObjectJournal For(int fileIndex) => new FileJournal(this, fileIndex);

    /// <summary>A new multipart upload: recorded durably before its first part is sent, so it is never orphaned.</summary>
    private ValueTask InitiatedAsync(int file, string uploadId)
    {
        lock (_gate)
        {
            var record = _document.Files[file];
            record.UploadId = uploadId;
            record.Parts.Clear();
            _dirty = true;
        }

        return WriteAsync();
    }

    private void PartCompleted(int file, CompletedPart part)
    {
        lock (_gate)
        {
            var parts = _document.Files[file].Parts;
            parts.RemoveAll(p => p.Number == part.PartNumber);
            parts.Add(new PartRecord { Number = part.PartNumber, Size = part.Size, ETag = part.ETag, Crc64 = part.Crc64 });
            _dirty = true;
        }

        MaybeWrite();
    }

    private void FileCompleted(int file, long putBytes)
    {
        lock (_gate)
        {
            var record = _document.Files[file];
            record.Complete = true;
            record.UploadId = null;
            record.Parts.Clear();
            _dirty = true;
            _putBytesSinceWrite += putBytes;
            _writeSoon |= putBytes == 0 || _putBytesSinceWrite >= _putBytesPerWrite;
        }

        MaybeWrite();
    }

    public void FileStored(int fileIndex) => FileCompleted(fileIndex, 0);

    /// <summary>The file's multipart upload is gone or unusable: it starts over under the same session.</summary>
    public void FileRestarted(int fileIndex)
    {
        lock (_gate)
        {
            var record = _document.Files[fileIndex];
            record.UploadId = null;
            record.Parts.Clear();
            record.Complete = false;
            _dirty = true;
        }
    }

    /// <summary>A resume kept these parts (what COS holds and the checkpoint or the local bytes agree on).</summary>
    public void PartsReconciled(int fileIndex, IReadOnlyList<CompletedPart> kept)
    {
        lock (_gate)
        {
            var parts = _document.Files[fileIndex].Parts;
            parts.Clear();
            foreach (var part in kept)
            {
                parts.Add(new PartRecord { Number = part.PartNumber, Size = part.Size, ETag = part.ETag, Crc64 = part.Crc64 });
            }

            _dirty = true;
        }
    }

    public long BytesConfirmed
    {
        get
        {
            lock (_gate)
            {
                return CheckpointStore.Describe(_document).BytesDone;
            }
        }
    }

    /// <summary>The multipart uploads the checkpoint names that are not complete (key, UploadId).</summary>
    public IReadOnlyList<(string Key, string UploadId)> OpenUploads()
    {
        lock (_gate)
        {
            return _document.Files.Where(f => !f.Complete && f.UploadId is not null).Select(f => (f.Key, f.UploadId!)).ToList();
        }
    }

    /// <summary>CommitUpload is about to be sent: recorded first, so a resume knows it may have been applied.</summary>
    public async ValueTask CommitSendingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _document.CommitSent = true;
            _dirty = true;
        }

        await WriteAsync().ConfigureAwait(false);
    }

    /// <summary>CommitUpload was refused outright (no reply lost): it was not applied, so a later run transfers and commits as usual.</summary>
    public ValueTask CommitRefusedAsync()
    {
        lock (_gate)
        {
            _document.CommitSent = false;
            _dirty = true;
        }

        return WriteAsync();
    }

    /// <summary>Writes what is not yet written (the upload paused or failed and may be resumed).</summary>
    public async ValueTask FlushAsync()
    {
        await _background.ConfigureAwait(false);
        await WriteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The upload is committed. When the store keeps committed uploads the checkpoint becomes a record of the result
    /// (the temporary credential and the parts are dropped; the fingerprints stay, to tell a changed file); otherwise
    /// it goes.
    /// </summary>
    public async ValueTask<bool> CommittedAsync(VodUploadResponse response)
    {
        if (!_store.KeepCommitted)
        {
            await DeleteAsync().ConfigureAwait(false);
            return false;
        }

        await _background.ConfigureAwait(false);
        lock (_gate)
        {
            _document.Session.Credential = null;
            foreach (var file in _document.Files)
            {
                file.Complete = true;
                file.UploadId = null;
                file.Parts.Clear();
            }

            _document.Committed = new CommittedRecord
            {
                FileId = response.FileId,
                MediaUrl = response.MediaUrl,
                CoverUrl = response.CoverUrl,
                RequestId = response.RequestId,
                BytesUploaded = response.BytesUploaded,
                BytesResumed = response.BytesResumed,
                CommittedAt = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            _dirty = true;
        }

        await WriteAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>The upload is committed (or will never resume): the checkpoint goes.</summary>
    public async ValueTask DeleteAsync()
    {
        await _background.ConfigureAwait(false);
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            _deleted = true;
            _store.Delete(_document.Id);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _store.Report(new CheckpointNotice(CheckpointNoticeKind.WriteFailed, Id, $"checkpoint {Id} could not be deleted: {e.Message}"));
        }
        finally
        {
            _writing.Release();
        }
    }

    private void MaybeWrite()
    {
        bool due;
        lock (_gate)
        {
            due = _dirty && (_writeSoon || _time.GetElapsedTime(_lastWrite) >= TimeSpan.FromSeconds(1));
        }

        if (due && _writing.CurrentCount > 0)
        {
            // The flush to disk happens off the part's path; a write already under way covers this one next time.
            lock (_gate)
            {
                if (_background.IsCompleted)
                {
                    _background = Task.Run(() => TryWrite(wait: false));
                }
            }
        }
    }

    /// <summary>Writes on the thread pool (encoding and fsync never run on the caller's thread) and waits for it without blocking.</summary>
    private async ValueTask WriteAsync()
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            await Task.Run(() => TryWrite(wait: true)).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>One write of the document when it changed; <paramref name="wait"/> means the caller already holds the write lock.</summary>
    private void TryWrite(bool wait)
    {
        if (!wait && !_writing.Wait(0))
        {
            return;
        }

        try
        {
            ReadOnlyMemory<byte> header, body;
            lock (_gate)
            {
                if (!_dirty || _deleted)
                {
                    return;
                }

                _document.UpdatedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
                (header, body) = _encoder.Encode(_document);
                _dirty = false;
                _putBytesSinceWrite = 0;
                _writeSoon = false;
                _lastWrite = _time.GetTimestamp();
            }

            _store.Write(_document.Id, header.Span, body.Span);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_gate)
            {
                _dirty = true;
            }

            if (Interlocked.Exchange(ref _writeFailed, 1) == 0)
            {
                _store.Report(new CheckpointNotice(CheckpointNoticeKind.WriteFailed, Id, $"checkpoint {Id} could not be written ({e.Message}); the upload goes on but may not be resumable."));
            }
        }
        finally
        {
            if (!wait)
            {
                _writing.Release();
            }
        }
    }

    private sealed class FileJournal(CheckpointRecorder recorder, int file) : IObjectJournal
    {
        public ValueTask InitiatedAsync(string uploadId, CancellationToken cancellationToken) => recorder.InitiatedAsync(file, uploadId);

        public void PartCompleted(CompletedPart part) => recorder.PartCompleted(file, part);

        public void Completed(long putBytes) => recorder.FileCompleted(file, putBytes);
    }
}
