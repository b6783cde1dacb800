using System.Diagnostics;
using System.Globalization;

namespace VodRaw.Cli.Batch;

/// <summary>
/// Progress over a whole batch: bytes and files done of the total, failures, rate and ETA (the reporter's), and the
/// files in flight — from each upload's own progress, summed, and redrawn at most a few times a second.
/// </summary>
internal sealed class BatchProgress(ProgressReporter reporter, int files, long bytes)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly object _gate = new();
    private readonly Dictionary<BatchItem, long> _inFlight = [];
    private long _bytesDone;
    private int _filesDone;
    private int _failed;
    private long _lastDraw;

    public ProgressReporter Reporter => reporter;

    public IProgress<UploadProgress> For(BatchItem item)
    {
        lock (_gate)
        {
            _inFlight[item] = 0;
        }

        return new ItemProgress(this, item);
    }

    public void Done(BatchItem item, bool ok)
    {
        lock (_gate)
        {
            _inFlight.Remove(item);
            _bytesDone += item.Bytes;
            if (ok)
            {
                _filesDone++;
            }
            else
            {
                _failed++;
            }
        }

        Draw(force: true);
    }

    private void Update(BatchItem item, long sent)
    {
        lock (_gate)
        {
            if (_inFlight.ContainsKey(item))
            {
                _inFlight[item] = sent;
            }
        }

        Draw(force: false);
    }

    private void Draw(bool force)
    {
        UploadProgress value;
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            if (!force && Stopwatch.GetElapsedTime(_lastDraw, now) < Interval)
            {
                return;
            }

            _lastDraw = now;
            var sent = _bytesDone + _inFlight.Values.Sum();
            value = new UploadProgress(UploadPhase.Uploading, Math.Min(sent, bytes), bytes, 0, _inFlight.Count, _filesDone + _failed, files);
            reporter.SetBatch(_failed, _inFlight.Keys.Select(k => Path.GetFileName(k.MediaPath)).Take(3).ToArray(), Math.Max(0, _inFlight.Count - 3));
        }

        reporter.Report(value);
    }

    private sealed class ItemProgress(BatchProgress owner, BatchItem item) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => owner.Update(item, value.BytesUploaded);
    }
}
