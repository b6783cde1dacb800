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
    private string _extra = string.Empty;
    private bool _wroteLive;

    public ProgressReporter(TextWriter error, bool interactive, bool quiet, Func<int>? width = null, Func<TimeSpan>? elapsed = null)
    {
        _error = error;
        _interactive = interactive;
        _quiet = quiet;
        _width = width ?? TerminalWidth;
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
                var width = Math.Max(20, _width());
                _error.Write("\r" + Line(value, now, width - 1).PadRight(width - 1));
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

    /// <summary>Text shown after the other fields when there is room (a batch's failures and files in flight).</summary>
    public string Extra
    {
        get => _extra;
        set => _extra = value ?? string.Empty;
    }

    /// <summary>Prints a line of its own (a batch's file result) without leaving a half-drawn progress line behind.</summary>
    public void Say(string line)
    {
        lock (_gate)
        {
            if (_wroteLive)
            {
                _error.Write("\r" + new string(' ', Math.Max(19, _width() - 1)) + "\r");
                _wroteLive = false;
            }

            _error.WriteLine(line);
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

    /// <summary>The progress line, at most <paramref name="max"/> characters: less important fields go first.</summary>
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
        var rate = Rate(current) + "/s";
        var avg = "(avg " + Rate(average) + "/s)";
        var time = Clock(now) + (eta is { } e ? " ETA " + Clock(e) : string.Empty);
        var files = value.FilesTotal > 1 ? $"files {value.FilesCompleted.ToString(CultureInfo.InvariantCulture)}/{value.FilesTotal.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        var phase = value.Phase.ToString();

        // Drop fields from the least important until the line fits; the bar takes what is left (up to 30).
        string[][] layouts =
        [
            [phase, percent, bytes, rate, avg, time, files, _extra],
            [phase, percent, bytes, rate, avg, time, files],
            [phase, percent, bytes, rate, time, files],
            [phase, percent, bytes, rate, time],
            [phase, percent, bytes, rate],
            [phase, percent, rate],
            [percent, rate],
            [percent],
        ];
        // First pass: the most fields that leave room for a bar of at least 12; then the most fields without a bar.
        foreach (var minimumBar in new[] { 12, 0 })
        {
            foreach (var fields in layouts)
            {
                var text = string.Join("  ", fields.Where(f => f.Length > 0));
                var room = max == int.MaxValue ? 22 : Math.Min(32, max - text.Length - 2);
                if (minimumBar > 0 && room >= minimumBar)
                {
                    return Bar(value.Percent, room) + "  " + text;
                }

                if (minimumBar == 0 && text.Length <= max)
                {
                    return text;
                }
            }
        }

        return percent.Trim().Length <= max ? percent.Trim() : string.Empty;
    }

    private static string Bar(double? percent, int width)
    {
        var inner = width - 2;
        var filled = percent is { } p ? (int)Math.Round(Math.Clamp(p, 0, 100) / 100 * inner) : 0;
        return "[" + new string('#', filled) + new string('.', inner - filled) + "]";
    }

    private static string Clock(TimeSpan t) =>
        t.TotalHours >= 100 ? ">99h" : ((int)t.TotalHours).ToString("00", CultureInfo.InvariantCulture) + t.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture);

    private static string Rate(double bytesPerSecond) => (bytesPerSecond / (1 << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB";

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    internal static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
