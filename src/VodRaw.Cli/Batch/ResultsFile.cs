using System.Text;
using System.Text.Json;

namespace VodRaw.Cli.Batch;

/// <summary>
/// <c>--results FILE</c>: one JSON line per media file as it finishes (README, "Batch uploads"): path, key, status
/// (committed, alreadyCommitted, failed, changed), FileId, MediaUrl, CoverUrl, RequestId, bytes, seconds, or the
/// error. Appended and never torn (<see cref="JsonLinesLog"/>). A file an earlier run already wrote a line for is not
/// written again when it is skipped, so a crashed and re-run batch still has one line per file.
/// </summary>
internal sealed class ResultsFile : IDisposable
{
    private readonly JsonLinesLog _log;
    private readonly HashSet<(string Path, string Status)> _written = [];
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public ResultsFile(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        _log = JsonLinesLog.Open(path);
        foreach (var line in _log.Lines)
        {
            try
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.TryGetProperty("path", out var p) && p.GetString() is { } written
                    && json.RootElement.TryGetProperty("status", out var s) && s.GetString() is { } status)
                {
                    _written.Add((written, status));
                    _paths.Add(written);
                }
            }
            catch (JsonException)
            {
                // A line of someone else's: left as it is.
            }
        }
    }

    public bool Repaired => _log.Repaired;

    /// <summary>Whether any line names this file (skipped files are then not written again).</summary>
    public bool Has(string path)
    {
        lock (_gate)
        {
            return _paths.Contains(path);
        }
    }

    public void Success(BatchItem item, string status, string fileId, string? mediaUrl, string? coverUrl, string? requestId, long bytes, long bytesResumed, double seconds) =>
        Write(item, status, w =>
        {
            w.WriteString("fileId", fileId);
            w.WriteString("mediaUrl", mediaUrl);
            w.WriteString("coverUrl", coverUrl);
            w.WriteString("requestId", requestId);
            w.WriteNumber("bytes", bytes);
            w.WriteNumber("bytesResumed", bytesResumed);
            w.WriteNumber("seconds", Math.Round(seconds, 3));
        });

    public void Failure(BatchItem item, string status, int exitCode, string? code, string message, string? requestId, string? fileId = null) =>
        Write(item, status, w =>
        {
            if (fileId is not null)
            {
                w.WriteString("fileId", fileId);
            }

            w.WriteStartObject("error");
            w.WriteNumber("exitCode", exitCode);
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteString("requestId", requestId);
            w.WriteEndObject();
        });

    private void Write(BatchItem item, string status, Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonLinesLog.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("path", item.MediaPath);
            w.WriteString("key", item.Key);
            w.WriteString("status", status);
            fields(w);
            w.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.ToArray());
        lock (_gate)
        {
            // Skips are written once: a skipped file with any line already, a changed file with a "changed" line already.
            var alreadyWritten = status switch
            {
                "alreadyCommitted" => _paths.Contains(item.MediaPath),
                "changed" => _written.Contains((item.MediaPath, status)),
                _ => false,
            };
            if (alreadyWritten)
            {
                return;
            }

            _log.Append(line);
            _written.Add((item.MediaPath, status));
            _paths.Add(item.MediaPath);
        }
    }

    public void Dispose() => _log.Dispose();
}
