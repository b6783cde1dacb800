namespace VodRaw.Transfer;

/// <summary>
/// Chooses the parts in flight of one upload when <see cref="TransferOptions.Concurrency"/> is unset: it starts at
/// <see cref="TransferOptions.DefaultConcurrency"/>, measures the throughput of each setting over whole parts, and
/// raises the setting while that throughput keeps growing — which it does when round trips or a per-connection cap,
/// not this machine or the link, limit the upload: the first step is ×2; then ×4 after a step that scaled almost
/// linearly (<see cref="LinearGain"/> per doubling), ×2 after one that gained at least <see cref="ContinueGain"/> per
/// doubling. When a step gains less than <see cref="MinGain"/> it
/// goes back to the best setting seen and holds; it halves the setting when the service throttles (SlowDown, 503, 429) and holds.
/// The gate's ceiling, fixed by the memory budget, is never passed.
/// </summary>
/// <remarks>
/// A setting is measured after it settles (<see cref="SettleParts"/> of a part's duration) over a window of
/// <see cref="WindowParts"/> part's duration and at least one part per slot, from one part completion to another (the
/// first setting from the upload's start, so its first wave of parts decides). Short on purpose: every measurement at a low setting costs throughput while round trips dominate, and a
/// wrong call only holds a setting within the budget; the whole-upload cost is checked against the best fixed setting
/// (AdaptiveConcurrencyTests and the <c>wan</c> benchmark). Everything is timed with the upload's <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class AdaptiveConcurrency
{
    /// <summary>The least throughput gain (fraction) that makes a larger setting worth its memory and connections.</summary>
    public const double MinGain = 0.03;

    /// <summary>The gain (fraction) per doubling from one step above which a larger setting is tried.</summary>
    public const double ContinueGain = 0.25;

    /// <summary>The gain (fraction) per doubling that means a step scaled almost linearly: the next step quadruples.</summary>
    public const double LinearGain = 0.75;

    /// <summary>A setting's measuring window, in parts' durations (after one part's duration to settle).</summary>
    public const double WindowParts = 1.0;

    /// <summary>How long a new setting settles before it is measured, in parts' durations.</summary>
    public const double SettleParts = 0.5;

    private readonly object _lock = new();
    private readonly ConcurrencyGate _gate;
    private readonly TimeProvider _time;
    private readonly List<Step> _history = [];
    private long _bytes;
    private double _partSeconds;
    private long _settingSince;
    private long? _windowStart;
    private long _windowBytes;
    private int _windowParts;
    private double _bestRate;
    private int _bestLimit;
    private bool _holding;
    private long _lastThrottle = long.MinValue;

    public AdaptiveConcurrency(ConcurrencyGate gate, TimeProvider time)
    {
        _gate = gate;
        _time = time;
        _settingSince = time.GetTimestamp();
        _windowStart = _settingSince; // the first setting needs no settling: its window opens with the upload
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
                if (_time.GetElapsedTime(_settingSince, now).TotalSeconds >= SettleParts * _partSeconds)
                {
                    _windowStart = now;
                    _windowBytes = _bytes;
                    _windowParts = 0;
                }

                return;
            }

            // At least one part per slot, so the first window (from the upload's start) sees its whole first wave.
            _windowParts++;
            var window = _time.GetElapsedTime(start, now).TotalSeconds;
            if (window >= WindowParts * _partSeconds && _windowParts >= _gate.Limit)
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
            // Growth per doubling of the setting, so a ×4 step is judged like two ×2 steps.
            var perDoubling = _bestRate == 0 ? 0 : Math.Pow(rate / _bestRate, 1 / Math.Log2((double)limit / _bestLimit));
            var factor = _bestRate == 0 ? 2 : perDoubling >= 1 + LinearGain ? 4 : perDoubling >= 1 + ContinueGain ? 2 : 1;
            _bestRate = rate;
            _bestLimit = limit;
            next = Math.Min(_gate.MaxLimit, limit * factor);
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
