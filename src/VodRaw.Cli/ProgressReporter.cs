using System.Diagnostics;
using System.Globalization;

namespace VodRaw.Cli;

/// <summary>
/// Shows progress on standard error: on a terminal one line rewritten in place that always fits the terminal's width
/// (bar, %, bytes, current and average rate, elapsed, ETA, files), a plain line every few seconds when redirected,
/// nothing when quiet. Sizes are binary (KiB, MiB, GiB) and rates MiB/s, everywhere.
/// </summary>
internal sealed class ProgressReporter : IProgress<UploadProgress>
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);
    private readonly TextWriter _error;
    private readonly bool _interactive;
    private readonly bool _quiet;
    private readonly Func<int> _width;
    private readonly Func<TimeSpan> _elapsed;
    private readonly Queue<(TimeSpan At, long Bytes)> _samples = new();
    private readonly object _gate = new();
    private TimeSpan _lastPlain;
    private int _failed;
    private IReadOnlyList<string> _inFlight = [];
    private int _inFlightMore;
    private bool _wroteLive;

    public ProgressReporter(TextWriter error, bool interactive, bool quiet, Func<int>? width = null, Func<TimeSpan>? elapsed = null)
    {
        _error = error;
        _interactive = interactive;
        _quiet = quiet;
        _width = width ?? TerminalText.ConsoleWidth;
        var started = Stopwatch.GetTimestamp();
        _elapsed = elapsed ?? (() => Stopwatch.GetElapsedTime(started));
    }

    public void Report(UploadProgress value)
    {
        if (_quiet)
        {
            return;
        }

        lock (_gate)
        {
            var now = _elapsed();
            _samples.Enqueue((now, value.BytesUploaded));
            while (_samples.Count > 2 && now - _samples.Peek().At > RateWindow)
            {
                _samples.Dequeue();
            }

            if (_interactive)
            {
                var cells = LiveCells();
                var line = Line(value, now, cells);
                _error.Write("\r" + line + new string(' ', cells - TerminalText.Cells(line)));
                _wroteLive = true;
                if (value.Phase == UploadPhase.Completed)
                {
                    _error.WriteLine();
                    _wroteLive = false;
                }
            }
            else if (value.Phase == UploadPhase.Completed || now - _lastPlain >= PlainInterval)
            {
                _lastPlain = now;
                _error.WriteLine(Line(value, now, int.MaxValue));
            }
        }
    }

    /// <summary>
    /// A batch's state beside its totals: files that failed, and the names of files in flight (the first few, and how
    /// many more), shown when there is room.
    /// </summary>
    public void SetBatch(int failed, IReadOnlyList<string> inFlight, int inFlightMore)
    {
        lock (_gate)
        {
            _failed = failed;
            _inFlight = inFlight;
            _inFlightMore = inFlightMore;
        }
    }

    /// <summary>
    /// Prints a line of its own (a batch's file result) without leaving a half-drawn progress line behind; on a terminal
    /// it is broken at spaces to the width.
    /// </summary>
    public void Say(string line)
    {
        lock (_gate)
        {
            if (_wroteLive)
            {
                // The whole row but its last cell, so that a ^C echoed after the live line goes too.
                _error.Write("\r" + new string(' ', Math.Max(0, _width() - 1)) + "\r");
                _wroteLive = false;
            }

            // On a terminal, broken at spaces: a checkpoint id or a path is never split across lines.
            _error.WriteLine(_interactive ? TerminalText.Wrap(line, Math.Max(1, _width() - 1)) : line);
        }
    }

    /// <summary>Ends a live line before other output.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_wroteLive)
            {
                _error.WriteLine();
                _wroteLive = false;
            }
        }
    }

    /// <summary>
    /// The progress line, at most <paramref name="max"/> terminal cells. Fields in the order shown, each with the rank
    /// at which it is dropped when the line does not fit (lowest first): the percentage, the ETA and a batch's file
    /// count stay longest; file names in flight shrink with an ellipsis before they go.
    /// </summary>
    internal string Line(UploadProgress value, TimeSpan now, int max)
    {
        var seconds = now.TotalSeconds;
        var average = seconds > 0 ? value.BytesUploaded / seconds : 0;
        var (firstAt, firstBytes) = _samples.Count > 0 ? _samples.Peek() : (now, value.BytesUploaded);
        var window = (now - firstAt).TotalSeconds;
        var current = window > 0.2 ? (value.BytesUploaded - firstBytes) / window : average;
        var eta = value.TotalBytes > 0 && current > 0 && value.BytesUploaded < value.TotalBytes
            ? TimeSpan.FromSeconds((value.TotalBytes - value.BytesUploaded) / current) : (TimeSpan?)null;
        var percent = value.Percent is { } p ? p.ToString("F1", CultureInfo.InvariantCulture).PadLeft(5) + " %" : "    ? %";
        var bytes = $"{Format(value.BytesUploaded)} / {(value.TotalBytes < 0 ? "?" : Format(value.TotalBytes))}";
        var files = value.FilesTotal > 1 ? $"files {value.FilesCompleted.ToString(CultureInfo.InvariantCulture)}/{value.FilesTotal.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        var failed = _failed > 0 ? string.Create(CultureInfo.InvariantCulture, $"{_failed} failed") : string.Empty;
        var more = _inFlightMore > 0 ? string.Create(CultureInfo.InvariantCulture, $" +{_inFlightMore}") : string.Empty;
        var names = _inFlight.Count > 0 ? string.Join(", ", _inFlight) : string.Empty;
        Field[] fields =
        [
            new(BarField, 2),
            new(value.Phase.ToString(), 1),
            new(percent, 10),
            new(bytes, 4),
            new(Rate(current) + "/s", 6),
            new("(avg " + Rate(average) + "/s)", 0),
            new(Clock(now), 3),
            new(eta is { } e ? "ETA " + Clock(e) : string.Empty, 9),
            new(files, 8),
            new(failed, 7),
            new(names.Length > 0 ? NamesField : string.Empty, 5),
        ];

        if (max == int.MaxValue)
        {
            return Join(fields, value.Percent, names, more, namesCells: int.MaxValue, barCells: 22);
        }

        for (var dropBelow = 0; dropBelow <= 11; dropBelow++)
        {
            var kept = fields.Where(f => f.Text.Length > 0 && f.DropRank >= dropBelow).ToArray();
            var fixedCells = kept.Where(f => !ReferenceEquals(f.Text, BarField) && !ReferenceEquals(f.Text, NamesField)).Sum(f => TerminalText.Cells(f.Text))
                + (2 * Math.Max(0, kept.Length - 1));
            var room = max - fixedCells;
            var hasBar = kept.Any(f => ReferenceEquals(f.Text, BarField));
            var hasNames = kept.Any(f => ReferenceEquals(f.Text, NamesField));
            var fullNames = hasNames ? TerminalText.Cells("now: " + names + more) : 0;
            var namesCells = hasNames ? Math.Min(fullNames, room - (hasBar ? MinimumBar : 0)) : 0;
            if (room < 0 || (hasNames && namesCells < MinimumNames) || (hasBar && room - namesCells < MinimumBar))
            {
                continue;
            }

            return Join(kept, value.Percent, names, more, namesCells, Math.Min(MaximumBar, room - namesCells));
        }

        return string.Empty;
    }

    private const int MinimumBar = 10;
    private const int MaximumBar = 32;
    private const int MinimumNames = 12;

    // Placeholders compared by reference: their text is made to fit once the other fields are chosen.
    private static readonly string BarField = new('B', 1);
    private static readonly string NamesField = new('N', 1);

    private static string Join(IEnumerable<Field> fields, double? percent, string names, string more, int namesCells, int barCells) =>
        string.Join("  ", fields.Where(f => f.Text.Length > 0).Select(f =>
            ReferenceEquals(f.Text, BarField) ? Bar(percent, barCells)
            : ReferenceEquals(f.Text, NamesField) ? "now: " + TerminalText.Ellipsize(names, namesCells - 5 - more.Length) + more
            : f.Text));

    private readonly record struct Field(string Text, int DropRank);

    private static string Bar(double? percent, int width)
    {
        var inner = width - 2;
        var filled = percent is { } p ? (int)Math.Round(Math.Clamp(p, 0, 100) / 100 * inner) : 0;
        return "[" + new string('#', filled) + new string('.', inner - filled) + "]";
    }

    private static string Clock(TimeSpan t) =>
        t.TotalHours >= 100 ? ">99h" : ((int)t.TotalHours).ToString("00", CultureInfo.InvariantCulture) + t.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture);

    private static string Rate(double bytesPerSecond) => (bytesPerSecond / (1 << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB";

    /// <summary>
    /// The cells a live line may take: the width less three, so that the cursor after it and a <c>^C</c> the terminal
    /// echoes on Ctrl+C stay on the line instead of wrapping onto the next.
    /// </summary>
    private int LiveCells() => Math.Max(0, _width() - EchoRoom);

    private const int EchoRoom = 3;

    internal static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
