namespace VodRaw.Transfer;

/// <summary>
/// Chooses the parts in flight of one upload when <see cref="TransferOptions.Concurrency"/> is unset: it starts at
/// <see cref="TransferOptions.DefaultConcurrency"/>, measures the throughput of each setting over whole parts, and
/// doubles the setting while that throughput keeps growing — which it does when round trips or a per-connection cap,
/// not this machine or the link, limit the upload. When a doubling gains less than <see cref="MinGain"/> it goes back to
/// the best setting seen and holds; it halves the setting when the service throttles (SlowDown, 503, 429) and holds.
/// The gate's ceiling, fixed by the memory budget, is never passed.
/// </summary>
/// <remarks>
/// A setting is measured after it settles (one part's duration, so the parts started under the old setting have
/// finished) over a window of two parts' durations, from one part completion to another: at least two parts per slot
/// are counted, so one slow part does not decide. Everything is timed with the upload's <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class AdaptiveConcurrency
{
    /// <summary>The least throughput gain (fraction) that makes a larger setting worth its memory and connections.</summary>
    public const double MinGain = 0.03;

    /// <summary>The gain (fraction) from one doubling above which the next doubling is tried.</summary>
    public const double ContinueGain = 0.25;

    private readonly object _lock = new();
    private readonly ConcurrencyGate _gate;
    private readonly TimeProvider _time;
    private readonly List<Step> _history = [];
    private long _bytes;
    private double _partSeconds;
    private long _settingSince;
    private long? _windowStart;
    private long _windowBytes;
    private double _bestRate;
    private int _bestLimit;
    private bool _holding;
    private long _lastThrottle = long.MinValue;

    public AdaptiveConcurrency(ConcurrencyGate gate, TimeProvider time)
    {
        _gate = gate;
        _time = time;
        _settingSince = time.GetTimestamp();
        _bestLimit = gate.Limit;
        _holding = gate.Limit >= gate.MaxLimit;
    }

    /// <summary>One measured setting: parts in flight, bytes per second, and what was decided.</summary>
    public readonly record struct Step(int Limit, double BytesPerSecond, int Next);

    /// <summary>The parts in flight allowed now.</summary>
    public int Limit => _gate.Limit;

    /// <summary>The settings measured so far, in order (for diagnostics and the benchmarks).</summary>
    public IReadOnlyList<Step> History
    {
        get
        {
            lock (_lock)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>Now, on the upload's clock: when a part starts (for <see cref="PartCompleted(long, long)"/>).</summary>
    public long Timestamp() => _time.GetTimestamp();

    /// <summary>A part of <paramref name="bytes"/> that started at <paramref name="startedAt"/> (<see cref="Timestamp"/>) was confirmed.</summary>
    public void PartCompleted(long bytes, long startedAt) => PartCompleted(bytes, _time.GetElapsedTime(startedAt));

    /// <summary>A part (or whole-object PUT) of <paramref name="bytes"/> was confirmed, <paramref name="duration"/> after it started.</summary>
    public void PartCompleted(long bytes, TimeSpan duration)
    {
        lock (_lock)
        {
            _bytes += bytes;
            var seconds = Math.Max(duration.TotalSeconds, 1e-3);
            _partSeconds = _partSeconds == 0 ? seconds : (0.7 * _partSeconds) + (0.3 * seconds);
            if (_holding)
            {
                return;
            }

            var now = _time.GetTimestamp();
            if (_windowStart is not { } start)
            {
                if (_time.GetElapsedTime(_settingSince, now).TotalSeconds >= _partSeconds)
                {
                    _windowStart = now;
                    _windowBytes = _bytes;
                }

                return;
            }

            var window = _time.GetElapsedTime(start, now).TotalSeconds;
            if (window >= 2 * _partSeconds)
            {
                Decide((_bytes - _windowBytes) / window, now);
            }
        }
    }

    /// <summary>The service asked for less load: halve the setting (at most once per part's duration) and hold it.</summary>
    public void Throttled()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_lastThrottle != long.MinValue && _time.GetElapsedTime(_lastThrottle, now).TotalSeconds < Math.Max(_partSeconds, 0.1))
            {
                return;
            }

            _lastThrottle = now;
            var next = Math.Max(1, _gate.Limit / 2);
            _history.Add(new Step(_gate.Limit, 0, next));
            _bestLimit = next;
            _holding = true;
            _gate.SetLimit(next);
        }
    }

    private void Decide(double rate, long now)
    {
        var limit = _gate.Limit;
        int next;
        if (rate > _bestRate * (1 + MinGain))
        {
            var growth = _bestRate == 0 ? double.PositiveInfinity : rate / _bestRate;
            _bestRate = rate;
            _bestLimit = limit;
            next = limit < _gate.MaxLimit && growth >= 1 + ContinueGain ? Math.Min(_gate.MaxLimit, limit * 2) : limit;
        }
        else
        {
            next = _bestLimit;
        }

        _history.Add(new Step(limit, rate, next));
        _holding = next <= limit;
        _settingSince = now;
        _windowStart = null;
        _gate.SetLimit(next);
    }
}
