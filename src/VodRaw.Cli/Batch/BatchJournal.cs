using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace VodRaw.Cli.Batch;

/// <summary>
/// What a batch has done, per media file, kept in the checkpoint folder (<c>batches/{id}.journal</c>) so that running
/// the same command again skips what was committed, resumes what was in progress (its upload checkpoint), and retries
/// what failed (spec/batch.md). One JSON line per change of state — started, committed (with FileId, URLs and the
/// size and last-write time the file had), failed; the last line of a file wins. The id is a hash of what decides
/// where media goes: the SecretId, the region, the VOD endpoint, the sub-application and the shard, so one account's
/// batch never skips files of another's. Nothing secret is in it.
/// </summary>
internal sealed class BatchJournal : IDisposable
{
    private readonly JsonLinesLog _log;
    private readonly Dictionary<string, Entry> _latest = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private BatchJournal(JsonLinesLog log, int unreadable)
    {
        _log = log;
        Unreadable = unreadable;
    }

    public string Path => _log.Path;

    /// <summary>Lines that could not be read (a damaged journal; their files are treated as never started).</summary>
    public int Unreadable { get; }

    /// <summary>
    /// The journal's id. The endpoint is normalised (<see cref="ServiceEndpoint.Normalize"/>): <c>localhost</c> and
    /// <c>127.0.0.1</c>, a doubled slash or the default port written out are one endpoint, so they are one journal,
    /// whose lock keeps two batches of one library from running at once.
    /// </summary>
    public static string IdOf(string secretId, string region, Uri vodEndpoint, long? subAppId, Shard shard)
    {
        var text = string.Join('\n', "vodraw-batch 1", secretId, region, ServiceEndpoint.Normalize(vodEndpoint), subAppId?.ToString(CultureInfo.InvariantCulture) ?? "-", shard.ToString());
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32].ToLowerInvariant();
    }

    /// <summary>Where the journal <paramref name="id"/> lives under a checkpoint directory.</summary>
    public static string PathOf(string checkpointDirectory, string id) => System.IO.Path.Combine(checkpointDirectory, "batches", id + ".journal");

    public static BatchJournal Open(string checkpointDirectory, string id)
    {
        var folder = System.IO.Path.GetDirectoryName(PathOf(checkpointDirectory, id))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var log = JsonLinesLog.Open(PathOf(checkpointDirectory, id));
        var unreadable = 0;
        var entries = new List<Entry>();
        foreach (var line in log.Lines)
        {
            try
            {
                if (Parse(line) is { } entry)
                {
                    entries.Add(entry);
                    continue;
                }
            }
            catch (JsonException)
            {
            }

            unreadable++;
        }

        var journal = new BatchJournal(log, unreadable);
        foreach (var e in entries)
        {
            journal._latest[e.Path] = e;
        }

        return journal;
    }

    /// <summary>The last state recorded for a media file (by full path), or null.</summary>
    public Entry? Latest(string path)
    {
        lock (_gate)
        {
            return _latest.GetValueOrDefault(path);
        }
    }

    public void Started(string path, string key) => Record(new Entry { Path = path, Key = key, State = EntryState.Started });

    public void Committed(string path, string key, VodUploadResponse response, FileStamp stamp) => Record(new Entry
    {
        Path = path,
        Key = key,
        State = EntryState.Committed,
        FileId = response.FileId,
        MediaUrl = response.MediaUrl,
        CoverUrl = response.CoverUrl,
        RequestId = response.RequestId,
        CheckpointId = response.CheckpointId,
        Size = stamp.Size,
        LastWrite = stamp.LastWriteMs,
    });

    public void Failed(string path, string key, string? code, string message) => Record(new Entry { Path = path, Key = key, State = EntryState.Failed, Code = code, Message = message });

    private void Record(Entry entry)
    {
        entry.At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var line = Format(entry);
        lock (_gate)
        {
            try
            {
                _log.Append(line);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new WriteFailedException(Path, e);
            }

            _latest[entry.Path] = entry;
        }
    }

    private static string Format(Entry e)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonLinesLog.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("v", 1);
            w.WriteString("state", e.State.ToString().ToLowerInvariant());
            w.WriteString("path", e.Path);
            w.WriteString("key", e.Key);
            w.WriteNumber("at", e.At);
            Optional(w, "fileId", e.FileId);
            Optional(w, "mediaUrl", e.MediaUrl);
            Optional(w, "coverUrl", e.CoverUrl);
            Optional(w, "requestId", e.RequestId);
            Optional(w, "checkpointId", e.CheckpointId);
            Optional(w, "code", e.Code);
            Optional(w, "message", e.Message);
            if (e.State == EntryState.Committed)
            {
                w.WriteNumber("size", e.Size);
                w.WriteNumber("lastWrite", e.LastWrite);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());

        static void Optional(Utf8JsonWriter w, string name, string? value)
        {
            if (value is not null)
            {
                w.WriteString(name, value);
            }
        }
    }

    private static Entry? Parse(string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("v", out var v) || v.GetInt32() != 1)
        {
            return null;
        }

        var state = root.GetProperty("state").GetString() switch
        {
            "started" => EntryState.Started,
            "committed" => EntryState.Committed,
            "failed" => EntryState.Failed,
            _ => (EntryState?)null,
        };
        if (state is null)
        {
            return null;
        }

        string? Text(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        long Number(string name) => root.TryGetProperty(name, out var p) && p.TryGetInt64(out var n) ? n : 0;
        var entry = new Entry
        {
            State = state.Value,
            Path = Text("path") ?? string.Empty,
            Key = Text("key") ?? string.Empty,
            At = Number("at"),
            FileId = Text("fileId"),
            MediaUrl = Text("mediaUrl"),
            CoverUrl = Text("coverUrl"),
            RequestId = Text("requestId"),
            CheckpointId = Text("checkpointId"),
            Code = Text("code"),
            Message = Text("message"),
            Size = Number("size"),
            LastWrite = Number("lastWrite"),
        };
        return entry.Path.Length == 0 || (entry.State == EntryState.Committed && string.IsNullOrEmpty(entry.FileId)) ? null : entry;
    }

    public void Dispose() => _log.Dispose();

    /// <summary>A line could not be appended (a full disk, an I/O error): the journal no longer says what the batch did.</summary>
    internal sealed class WriteFailedException(string path, Exception inner) : IOException(inner.Message, inner)
    {
        public string JournalPath { get; } = path;
    }

    internal enum EntryState
    {
        Started,
        Committed,
        Failed,
    }

    internal sealed class Entry
    {
        public EntryState State { get; init; }

        public string Path { get; init; } = string.Empty;

        public string Key { get; init; } = string.Empty;

        public long At { get; set; }

        public string? FileId { get; init; }

        public string? MediaUrl { get; init; }

        public string? CoverUrl { get; init; }

        public string? RequestId { get; init; }

        public string? CheckpointId { get; init; }

        public string? Code { get; init; }

        public string? Message { get; init; }

        public long Size { get; init; }

        public long LastWrite { get; init; }
    }
}

/// <summary>A media file's size and last-write time: what tells the journal it changed since its commit.</summary>
internal readonly record struct FileStamp(long Size, long LastWriteMs)
{
    public static FileStamp Of(string path)
    {
        var info = new FileInfo(path);
        return new FileStamp(info.Length, new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeMilliseconds());
    }
}
