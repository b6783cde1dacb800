using System.Diagnostics;
using System.Globalization;

namespace VodRaw.Cli;

/// <summary>
/// Shows progress on standard error: a live line on a terminal (bytes, %, MB/s, ETA, parts in flight), a plain line
/// every few seconds when redirected, nothing when quiet.
/// </summary>
internal sealed class ProgressReporter(TextWriter error, bool interactive, bool quiet) : IProgress<UploadProgress>
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _lastPlain = Stopwatch.GetTimestamp();
    private bool _wroteLive;

    public void Report(UploadProgress value)
    {
        if (quiet)
        {
            return;
        }

        var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var rate = elapsed > 0 ? value.BytesUploaded / elapsed : 0;
        var eta = value.TotalBytes > 0 && rate > 0 ? TimeSpan.FromSeconds((value.TotalBytes - value.BytesUploaded) / rate) : (TimeSpan?)null;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{value.Phase,-10} {Format(value.BytesUploaded)} / {(value.TotalBytes < 0 ? "?" : Format(value.TotalBytes))} {value.Percent ?? 0,5:F1} % {rate / 1e6,7:F1} MB/s ETA {(eta is { } e ? e.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--")} parts {value.PartsCompleted} done, {value.PartsInFlight} in flight");
        lock (this)
        {
            if (interactive)
            {
                error.Write("\r" + line.PadRight(100));
                _wroteLive = true;
                if (value.Phase == UploadPhase.Completed)
                {
                    error.WriteLine();
                    _wroteLive = false;
                }
            }
            else if (value.Phase == UploadPhase.Completed || Stopwatch.GetElapsedTime(_lastPlain) >= PlainInterval)
            {
                _lastPlain = Stopwatch.GetTimestamp();
                error.WriteLine(line);
            }
        }
    }

    /// <summary>Ends a live line before other output.</summary>
    public void Finish()
    {
        lock (this)
        {
            if (_wroteLive)
            {
                error.WriteLine();
                _wroteLive = false;
            }
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
