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
    private long _resumed;
    private long _total;
    private int _partsCompleted;
    private int _partsInFlight;
    private int _filesCompleted;
    private int _filesTotal;
    private UploadPhase _phase = UploadPhase.Applying;
    private long _lastReport = long.MinValue;
    private long _lastReportedBytes = -1;
    private long _firstByteAt;
    private UploadProgress? _pending;
    private int _delivering;

    public ProgressTracker(IProgress<UploadProgress>? sink, TimeProvider time, TimeSpan interval)
    {
        _sink = sink;
        _time = time;
        _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>
    /// The rate one more part can expect: bytes per second sent since the first byte, shared among the parts in
    /// flight. Null until a part has been confirmed and a second has passed (connection set-up and a slow start must
    /// not look like a slow link).
    /// </summary>
    public double? MeasuredBytesPerSecond()
    {
        var since = Interlocked.Read(ref _firstByteAt);
        if (since == 0 || Volatile.Read(ref _partsCompleted) == 0)
        {
            return null;
        }

        var elapsed = _time.GetElapsedTime(since).TotalSeconds;
        var bytes = Interlocked.Read(ref _bytes) - Interlocked.Read(ref _resumed);
        return elapsed >= 1 && bytes > 0 ? bytes / elapsed / Math.Max(1, Volatile.Read(ref _partsInFlight)) : null;
    }

    public void SetTotals(long totalBytes, int files)
    {
        Interlocked.Exchange(ref _total, totalBytes);
        Volatile.Write(ref _filesTotal, files);
    }

    /// <summary>Bytes a resumed upload finds already at COS: they count as done, not in the measured rate.</summary>
    public void AddResumed(long bytes)
    {
        Interlocked.Add(ref _resumed, bytes);
        Interlocked.Add(ref _bytes, bytes);
        Report(force: false);
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
        Diagnostics.Telemetry.PartsInFlight.Add(1);
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
        if (Interlocked.Read(ref _firstByteAt) == 0)
        {
            Interlocked.CompareExchange(ref _firstByteAt, Math.Max(1, _time.GetTimestamp()), 0);
        }

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

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var bytes = Interlocked.Read(ref _bytes);
            if (!force && ((_lastReport != long.MinValue && now - _lastReport < _intervalTicks) || bytes == _lastReportedBytes))
            {
                return;
            }

            _lastReport = now;
            _lastReportedBytes = bytes;
            _pending = new UploadProgress(_phase, bytes, Interlocked.Read(ref _total), Volatile.Read(ref _partsCompleted),
                Volatile.Read(ref _partsInFlight), Volatile.Read(ref _filesCompleted), Volatile.Read(ref _filesTotal));
        }

        Deliver();
    }

    /// <summary>
    /// Hands the latest snapshot to the sink outside the lock. One thread delivers at a time, always the newest
    /// snapshot, so reports stay in order (monotonic) and a slow sink never blocks a part.
    /// </summary>
    private void Deliver()
    {
        while (Interlocked.CompareExchange(ref _delivering, 1, 0) == 0)
        {
            try
            {
                while (TakePending() is { } next)
                {
                    _sink!.Report(next);
                }
            }
            finally
            {
                Volatile.Write(ref _delivering, 0);
            }

            lock (_gate)
            {
                if (_pending is null)
                {
                    return;
                }
            }
        }
    }

    private UploadProgress? TakePending()
    {
        lock (_gate)
        {
            var next = _pending;
            _pending = null;
            return next;
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
                Diagnostics.Telemetry.BytesUploaded.Add(size);
            }

            Diagnostics.Telemetry.PartsInFlight.Add(-1);
            tracker.PartFinished(succeeded);
        }
    }
}
