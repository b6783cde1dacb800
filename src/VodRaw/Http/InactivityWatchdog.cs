namespace VodRaw.Http;

/// <summary>
/// Cancels an attempt when no byte has moved for the allowed time. Request bodies and response readers call
/// <see cref="Poke"/> as data flows, so a slow but moving transfer is never cut off (there is no whole-request timeout).
/// </summary>
internal sealed class InactivityWatchdog : IDisposable
{
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _attempt;
    private readonly ITimer _timer;
    private long _lastActivity;
    private long _limitTicks;
    private int _fired;

    public InactivityWatchdog(TimeProvider time, TimeSpan limit, CancellationTokenSource attempt)
    {
        _time = time;
        _attempt = attempt;
        _lastActivity = time.GetTimestamp();
        Limit = limit;
        var period = TimeSpan.FromTicks(Math.Clamp(limit.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _timer = time.CreateTimer(static s => ((InactivityWatchdog)s!).Check(), this, period, period);
    }

    /// <summary>The allowed idle time; can be raised for slow server-side steps (Complete).</summary>
    public TimeSpan Limit
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _limitTicks));
        set => Volatile.Write(ref _limitTicks, value.Ticks);
    }

    /// <summary>Whether this watch cancelled the attempt.</summary>
    public bool Fired => Volatile.Read(ref _fired) != 0;

    /// <summary>Records that data moved.</summary>
    public void Poke() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _lastActivity)) > Limit && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            try
            {
                _attempt.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // the attempt already finished
            }
        }
    }
}
