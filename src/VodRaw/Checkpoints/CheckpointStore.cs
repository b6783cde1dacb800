using System.Globalization;
using VodRaw.Transfer;

namespace VodRaw.Checkpoints;

/// <summary>
/// A directory of upload checkpoints: one small file per interrupted upload, so that running the same upload again
/// continues where it stopped (spec/resume.md). Set it as <see cref="VodUploadClientOptions.Checkpoints"/>.
/// </summary>
/// <remarks>
/// The directory is created owner-only (0700) when it does not exist; each file is created owner-only (0600) and
/// replaced atomically (write, fsync, rename, fsync the directory). The temporary COS SecretKey and Token in a
/// checkpoint are sealed with AES-GCM under a key derived from the caller's SecretKey; nothing else in it is secret.
/// A damaged, truncated, foreign-version or undecryptable checkpoint is reported once through <see cref="Notice"/>,
/// renamed to <c>{id}.damaged</c> and the upload starts fresh. Thread-safe; one store may serve many clients.
/// </remarks>
public sealed class CheckpointStore
{
    internal const string Extension = ".checkpoint";

    /// <summary>Creates a store over <paramref name="directory"/> (created on first write).</summary>
    /// <exception cref="ArgumentException">The directory is empty.</exception>
    public CheckpointStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The full path of the checkpoint directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// Receives what happens to checkpoints during uploads (resuming, set aside, starting fresh, a write that failed).
    /// Called on the upload's thread; keep it short. Default: none.
    /// </summary>
    public Action<CheckpointNotice>? Notice { get; init; }

    /// <summary>
    /// Keep a committed upload's checkpoint as a record of its result (FileId, URLs; no secret, no parts) instead of
    /// deleting it, so that running the same upload again returns that result
    /// (<see cref="VodUploadResponse.AlreadyCommitted"/>) instead of committing the media twice — for jobs that must
    /// upload each file exactly once across crashes (the CLI's batch uploads). The caller deletes the record
    /// (<see cref="VodUploadResponse.CheckpointId"/>) once it has the result safely. A file changed since its commit
    /// is uploaded again, with a notice. Default false: a committed upload's checkpoint is deleted.
    /// </summary>
    public bool KeepCommitted { get; init; }

    /// <summary>
    /// With <see cref="KeepCommitted"/>: an upload whose record says it was committed already is uploaded again, as new
    /// media, and the record is replaced (the CLI's <c>--upload-again</c>). Default false: the recorded result is
    /// returned and nothing is sent.
    /// </summary>
    public bool ReplaceCommitted { get; init; }

    /// <summary>
    /// How long a committed upload's record (<see cref="KeepCommitted"/>) answers a repeat of the same upload; an
    /// older record is deleted when it is next read. Default 30 days; at least one minute.
    /// </summary>
    public TimeSpan CommittedRetention
    {
        get => _committedRetention;
        init => _committedRetention = value >= TimeSpan.FromMinutes(1) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The retention must be at least one minute.");
    }

    private readonly TimeSpan _committedRetention = DefaultCommittedRetention;

    /// <summary>The default <see cref="CommittedRetention"/>: 30 days.</summary>
    public static readonly TimeSpan DefaultCommittedRetention = TimeSpan.FromDays(30);

    /// <summary>The clock that ages committed records (tests pin it). Default <see cref="TimeProvider.System"/>.</summary>
    internal TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The live checkpoints in the directory, newest first (damaged files are skipped).</summary>
    public IReadOnlyList<CheckpointInfo> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var list = new List<CheckpointInfo>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            if (Read(path).Document is { } document)
            {
                list.Add(Describe(document));
            }
        }

        list.Sort((a, b) => b.UpdatedAt.CompareTo(a.UpdatedAt));
        return list;
    }

    /// <summary>Deletes a checkpoint file (its multipart uploads are left as they are; see <see cref="VodUploadClient.AbortCheckpointAsync(string, bool, CancellationToken)"/>).</summary>
    public bool Delete(string id)
    {
        var path = PathOf(id);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    internal string PathOf(string id)
    {
        if (id.Length == 0 || id.Any(c => !char.IsAsciiLetterOrDigit(c)))
        {
            throw new ArgumentException($"'{id}' is not a checkpoint id (letters and digits only).", nameof(id));
        }

        return Path.Combine(Directory, id + Extension);
    }

    /// <summary>The checkpoint with this id: none, a document, or a problem (the file was then set aside).</summary>
    internal (CheckpointDocument? Document, string? Problem) Load(string id)
    {
        var path = PathOf(id);
        if (!File.Exists(path))
        {
            return (null, null);
        }

        var (document, problem) = Read(path);
        if (problem is not null)
        {
            SetAside(id, problem);
        }

        if (document?.Committed is { } committed && Expired(committed))
        {
            DurableFile.TryDelete(path);
            return (null, null);
        }

        return (document, problem);
    }

    internal void Save(CheckpointDocument document)
    {
        var (header, body) = new CheckpointEncoder().Encode(document);
        Write(document.Id, header.Span, body.Span);
    }

    /// <summary>Replaces checkpoint <paramref name="id"/> with <paramref name="header"/> followed by <paramref name="body"/>.</summary>
    internal void Write(string id, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        DurableFile.EnsureDirectory(Directory);
        DurableFile.Replace(PathOf(id), header, body);
    }

    /// <summary>Moves a checkpoint that cannot be used out of the way (kept for inspection) and reports it.</summary>
    internal void SetAside(string id, string problem)
    {
        var path = PathOf(id);
        try
        {
            File.Move(path, Path.Combine(Directory, id + ".damaged"), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DurableFile.TryDelete(path);
        }

        Report(new CheckpointNotice(CheckpointNoticeKind.SetAside, id, $"checkpoint {id} cannot be used ({problem}); it was set aside as {id}.damaged and the upload starts fresh."));
    }

    internal void Report(CheckpointNotice notice) => Notice?.Invoke(notice);

    /// <summary>Whether a committed record is older than <see cref="CommittedRetention"/>.</summary>
    private bool Expired(CommittedRecord committed) =>
        DateTimeOffset.FromUnixTimeMilliseconds(committed.CommittedAt) + CommittedRetention <= Time.GetUtcNow();

    internal static CheckpointInfo Describe(CheckpointDocument document)
    {
        int partsDone = 0, partsTotal = 0, filesDone = 0;
        long bytesDone = 0, bytesTotal = 0;
        foreach (var file in document.Files)
        {
            var size = file.Fingerprint.Size;
            bytesTotal += size;
            var count = PartCount(size, document.PartSize);
            partsTotal += count;
            if (file.Complete)
            {
                filesDone++;
                partsDone += count;
                bytesDone += size;
                continue;
            }

            partsDone += file.Parts.Count;
            bytesDone += file.Parts.Sum(p => p.Size);
        }

        var media = document.Files.Find(f => f.Role == "media")?.Path ?? document.Files[0].Path;
        return new CheckpointInfo(document.Id, media, document.Region, filesDone, document.Files.Count, partsDone, partsTotal, bytesDone, bytesTotal,
            document.Session.Credential is { ExpiresAt: > 0 } c ? DateTimeOffset.FromUnixTimeSeconds(c.ExpiresAt) : null,
            DateTimeOffset.FromUnixTimeMilliseconds(document.UpdatedAt), document.CommitSent)
        {
            CommittedFileId = document.Committed?.FileId,
        };
    }

    internal static int PartCount(long size, long partSize) => size <= 0 ? 1 : PartPlan.Create(size, partSize).PartCount;

    private static (CheckpointDocument? Document, string? Problem) Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, "it cannot be read: " + e.Message);
        }

        var (document, problem) = CheckpointCodec.Decode(bytes);
        if (document is not null && !string.Equals(document.Id + Extension, Path.GetFileName(path), StringComparison.Ordinal))
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"it names checkpoint {document.Id}, not its own file name"));
        }

        return (document, problem);
    }
}

/// <summary>A live checkpoint, as <see cref="CheckpointStore.List"/> shows it (nothing secret).</summary>
public sealed record CheckpointInfo
{
    internal CheckpointInfo(string id, string mediaPath, string region, int filesDone, int filesTotal, int partsDone, int partsTotal, long bytesDone, long bytesTotal, DateTimeOffset? credentialExpiresAt, DateTimeOffset updatedAt, bool commitSent)
    {
        Id = id;
        MediaPath = mediaPath;
        Region = region;
        FilesDone = filesDone;
        FilesTotal = filesTotal;
        PartsDone = partsDone;
        PartsTotal = partsTotal;
        BytesDone = bytesDone;
        BytesTotal = bytesTotal;
        CredentialExpiresAt = credentialExpiresAt;
        UpdatedAt = updatedAt;
        CommitSent = commitSent;
    }

    /// <summary>The checkpoint id (a hash of the caller's SecretId, the region, the request and the file paths).</summary>
    public string Id { get; init; }

    /// <summary>The media file's full path.</summary>
    public string MediaPath { get; init; }

    /// <summary>The VOD region of the upload.</summary>
    public string Region { get; init; }

    /// <summary>Files stored at COS.</summary>
    public int FilesDone { get; init; }

    /// <summary>Files of the upload (media, cover, package files).</summary>
    public int FilesTotal { get; init; }

    /// <summary>Parts (and whole-object PUTs) confirmed.</summary>
    public int PartsDone { get; init; }

    /// <summary>Parts in all.</summary>
    public int PartsTotal { get; init; }

    /// <summary>Bytes confirmed.</summary>
    public long BytesDone { get; init; }

    /// <summary>Bytes in all.</summary>
    public long BytesTotal { get; init; }

    /// <summary>When the upload's temporary COS credential expires; after that it cannot resume.</summary>
    public DateTimeOffset? CredentialExpiresAt { get; init; }

    /// <summary>When the checkpoint was last written.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Whether CommitUpload was sent (its reply may have been lost).</summary>
    public bool CommitSent { get; init; }

    /// <summary>The FileId, when this is the record of a committed upload (<see cref="CheckpointStore.KeepCommitted"/>); null for a live one.</summary>
    public string? CommittedFileId { get; init; }
}

/// <summary>What happened to a checkpoint.</summary>
public enum CheckpointNoticeKind
{
    /// <summary>A live checkpoint matched the upload: it continues where it stopped.</summary>
    Resuming,

    /// <summary>A checkpoint file was damaged, truncated, of another schema or not decryptable: set aside.</summary>
    SetAside,

    /// <summary>A valid checkpoint could not be used (a file changed, its credential expired, its session is gone): the upload starts fresh.</summary>
    StartingFresh,

    /// <summary>A checkpoint could not be written (the upload goes on; it may not be resumable).</summary>
    WriteFailed,

    /// <summary>The upload was committed by an earlier run (<see cref="CheckpointStore.KeepCommitted"/>): its recorded result is returned, nothing is sent.</summary>
    AlreadyCommitted,
}

/// <summary>A report from the checkpoint store, for people: <see cref="Message"/> is one sentence.</summary>
public sealed record CheckpointNotice
{
    internal CheckpointNotice(CheckpointNoticeKind kind, string checkpointId, string message)
    {
        Kind = kind;
        CheckpointId = checkpointId;
        Message = message;
    }

    /// <summary>What happened.</summary>
    public CheckpointNoticeKind Kind { get; init; }

    /// <summary>The checkpoint concerned.</summary>
    public string CheckpointId { get; init; }

    /// <summary>One sentence saying what happened and what follows.</summary>
    public string Message { get; init; }

    /// <summary>For <see cref="CheckpointNoticeKind.Resuming"/>: parts already confirmed; otherwise 0.</summary>
    public int PartsDone { get; init; }

    /// <summary>For <see cref="CheckpointNoticeKind.Resuming"/>: parts in all; otherwise 0.</summary>
    public int PartsTotal { get; init; }

    /// <summary>Bytes already at COS that are not sent again (resuming), or that go up again (starting fresh).</summary>
    public long Bytes { get; init; }
}
