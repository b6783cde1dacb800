using VodRaw.Transfer;

namespace VodRaw.Checkpoints;

/// <summary>
/// The live checkpoint of one upload: the transfer tells it what COS confirmed, and it writes the file — at once for
/// the facts a resume cannot rebuild (a new UploadId, CommitUpload about to be sent), otherwise in the background so
/// no part waits for a disk flush: at most once a second for parts, soon after a multipart object is completed, and
/// when whole-object PUTs (segments) worth one memory budget (parts in flight × part size) are stored — so a crash
/// sends again at most about that much of small files. (A write per N parts was measured: at 1 MiB parts it cost
/// 24 % of the throughput, re-encoding a growing document tens of times a second; benchmarks/README.md.) Parts of multipart uploads confirmed since the
/// last write are recovered by the resume (ListParts and the local bytes' MD5), not sent again. A write that fails is
/// reported once and the upload goes on. Thread-safe.
/// </summary>
internal sealed class CheckpointRecorder
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

    /// <summary>Writes it now (the first write of a new upload, before any byte goes to COS).</summary>
    public void WriteNow()
    {
        lock (_gate)
        {
            _dirty = true;
        }

        Write(wait: true);
    }

    public IObjectJournal For(int fileIndex) => new FileJournal(this, fileIndex);

    /// <summary>A new multipart upload: recorded durably before its first part is sent, so it is never orphaned.</summary>
    public void Initiated(int file, string uploadId)
    {
        lock (_gate)
        {
            var record = _document.Files[file];
            record.UploadId = uploadId;
            record.Parts.Clear();
            _dirty = true;
        }

        Write(wait: true);
    }

    public void PartCompleted(int file, CompletedPart part)
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

    public void FileCompleted(int file, long putBytes)
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

    /// <summary>The file's multipart upload is gone or unusable: it starts over under the same session.</summary>
    public void FileRestarted(int file)
    {
        lock (_gate)
        {
            var record = _document.Files[file];
            record.UploadId = null;
            record.Parts.Clear();
            record.Complete = false;
            _dirty = true;
        }
    }

    /// <summary>A resume kept these parts (what COS holds and the checkpoint or the local bytes agree on).</summary>
    public void PartsReconciled(int file, IReadOnlyList<CompletedPart> kept)
    {
        lock (_gate)
        {
            var parts = _document.Files[file].Parts;
            parts.Clear();
            foreach (var part in kept)
            {
                parts.Add(new PartRecord { Number = part.PartNumber, Size = part.Size, ETag = part.ETag, Crc64 = part.Crc64 });
            }

            _dirty = true;
        }
    }

    /// <summary>The multipart uploads the checkpoint names that are not complete (key, UploadId).</summary>
    public List<(string Key, string UploadId)> OpenUploads()
    {
        lock (_gate)
        {
            return _document.Files.Where(f => !f.Complete && f.UploadId is not null).Select(f => (f.Key, f.UploadId!)).ToList();
        }
    }

    /// <summary>CommitUpload is about to be sent: recorded first, so a resume knows it may have been applied.</summary>
    public void CommitSending()
    {
        lock (_gate)
        {
            _document.CommitSent = true;
            _dirty = true;
        }

        Write(wait: true);
    }

    /// <summary>Writes what is not yet written (the upload paused or failed and may be resumed).</summary>
    public void Flush()
    {
        _background.Wait();
        Write(wait: true);
    }

    /// <summary>
    /// The upload is committed and the store keeps committed uploads: the checkpoint becomes a record of the result
    /// (the temporary credential and the parts are dropped; the fingerprints stay, to tell a changed file).
    /// </summary>
    public void Committed(VodUploadResponse response)
    {
        _background.Wait();
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

        Write(wait: true);
    }

    /// <summary>The upload is committed (or will never resume): the checkpoint goes.</summary>
    public void Delete()
    {
        _background.Wait();
        _writing.Wait();
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
                    _background = Task.Run(() => Write(wait: false));
                }
            }
        }
    }

    private void Write(bool wait)
    {
        if (wait)
        {
            _writing.Wait();
        }
        else if (!_writing.Wait(0))
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
            _writing.Release();
        }
    }

    private sealed class FileJournal(CheckpointRecorder recorder, int file) : IObjectJournal
    {
        public void Initiated(string uploadId) => recorder.Initiated(file, uploadId);

        public void PartCompleted(CompletedPart part) => recorder.PartCompleted(file, part);

        public void Completed(long putBytes) => recorder.FileCompleted(file, putBytes);
    }
}
