using System.Text;

namespace VodRaw.Cli.Batch;

/// <summary>
/// An append-only JSON Lines file that a crash never leaves torn: each line goes out in one write, with its newline,
/// through a write-through handle (O_SYNC: on disk when the write returns); on opening, a last line without its
/// newline (the write a crash cut short) is cut off. The file is held exclusively while open, so two processes never
/// interleave lines in it (the second is told, <see cref="LockedException"/>). Created owner-only (0600).
/// </summary>
internal sealed class JsonLinesLog : IDisposable
{
    /// <summary>Writes names (CJK, spaces) as they are, not as \u escapes: the files are for people too (still valid JSON).</summary>
    public static readonly System.Text.Json.JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly FileStream _stream;
    private readonly object _gate = new();

    private JsonLinesLog(FileStream stream, List<string> lines, bool repaired)
    {
        _stream = stream;
        Lines = lines;
        Repaired = repaired;
    }

    /// <summary>The complete lines the file held when it was opened.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>Whether a torn last line was cut off on opening.</summary>
    public bool Repaired { get; }

    public string Path => _stream.Name;

    public static JsonLinesLog Open(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.WriteThrough,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, options);
        }
        catch (IOException e) when (File.Exists(path) && e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new LockedException(path, e);
        }

        try
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            var end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
            var repaired = end < bytes.Length;
            if (repaired)
            {
                stream.SetLength(end);
            }

            stream.Seek(0, SeekOrigin.End);
            var text = Encoding.UTF8.GetString(bytes, 0, end);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            return new JsonLinesLog(stream, lines, repaired);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends one line (no newline in it) and returns once it is on disk.</summary>
    public void Append(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_gate)
        {
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Another process holds the file.</summary>
    internal sealed class LockedException(string path, Exception inner) : IOException($"{path} is in use by another process (another vodraw running the same batch?).", inner);
}
