namespace VodRaw.Transfer;

/// <summary>
/// Adds up progress over every file of an upload and reports it, throttled. Each part counts the most bytes any of
/// its attempts has sent, so retries never make the total go back or count twice.
/// </summary>
internal sealed class ProgressTracker
{
    private readonly IProgress<UploadProgress>? _sink;
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private readonly object _gate = new();
    private long _bytes;
    private long _total;
    private int _partsCompleted;
    private int _partsInFlight;
    private int _filesCompleted;
    private int _filesTotal;
    private UploadPhase _phase = UploadPhase.Applying;
    private long _lastReport = long.MinValue;
    private long _lastReportedBytes = -1;

    public ProgressTracker(IProgress<UploadProgress>? sink, TimeProvider time, TimeSpan interval)
    {
        _sink = sink;
        _time = time;
        _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
    }

    public long BytesUploaded => Interlocked.Read(ref _bytes);

    public void SetTotals(long totalBytes, int files)
    {
        Interlocked.Exchange(ref _total, totalBytes);
        Volatile.Write(ref _filesTotal, files);
    }

    public void AddToTotal(long bytes)
    {
        if (Interlocked.Read(ref _total) >= 0)
        {
            Interlocked.Add(ref _total, bytes);
        }
    }

    public PartProgress StartPart()
    {
        Interlocked.Increment(ref _partsInFlight);
        return new PartProgress(this);
    }

    public void SetPhase(UploadPhase phase)
    {
        lock (_gate)
        {
            _phase = phase;
        }

        Report(force: true);
    }

    public void FileCompleted()
    {
        Interlocked.Increment(ref _filesCompleted);
        Report(force: false);
    }

    internal void Add(long delta)
    {
        Interlocked.Add(ref _bytes, delta);
        Report(force: false);
    }

    internal void PartFinished(bool succeeded)
    {
        Interlocked.Decrement(ref _partsInFlight);
        if (succeeded)
        {
            Interlocked.Increment(ref _partsCompleted);
        }

        Report(force: false);
    }

    private void Report(bool force)
    {
        if (_sink is null)
        {
            return;
        }

        UploadProgress snapshot;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var bytes = Interlocked.Read(ref _bytes);
            if (!force && (now - _lastReport < _intervalTicks || bytes == _lastReportedBytes))
            {
                return;
            }

            _lastReport = now;
            _lastReportedBytes = bytes;
            snapshot = new UploadProgress(_phase, bytes, Interlocked.Read(ref _total), Volatile.Read(ref _partsCompleted),
                Volatile.Read(ref _partsInFlight), Volatile.Read(ref _filesCompleted), Volatile.Read(ref _filesTotal));
            // Reported inside the lock so reports reach the sink in order (monotonic).
            _sink.Report(snapshot);
        }
    }
}

/// <summary>Progress of one part (or single PUT) across its attempts.</summary>
internal sealed class PartProgress(ProgressTracker tracker)
{
    private long _max;
    private int _finished;

    /// <summary>The current attempt has sent <paramref name="sentInAttempt"/> bytes.</summary>
    public void Sent(long sentInAttempt)
    {
        while (true)
        {
            var max = Interlocked.Read(ref _max);
            if (sentInAttempt <= max)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _max, sentInAttempt, max) == max)
            {
                tracker.Add(sentInAttempt - max);
                return;
            }
        }
    }

    /// <summary>The part is done (confirmed or abandoned); counted once.</summary>
    public void Finish(bool succeeded, long size)
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            if (succeeded)
            {
                Sent(size);
            }

            tracker.PartFinished(succeeded);
        }
    }
}
