namespace VodRaw;

/// <summary>
/// How <see cref="VodUploadClient.PullAndWaitAsync"/> and <see cref="VodUploadClient.WaitForPullAsync"/> wait for a
/// pull task: DescribeTaskDetail at growing intervals (doubling from <see cref="InitialPollInterval"/> up to
/// <see cref="MaxPollInterval"/>), on the client's <see cref="VodUploadClientOptions.TimeProvider"/>, until the task
/// finishes or <see cref="Timeout"/> passes. Checked (and copied) when a wait starts.
/// </summary>
public sealed class PullWaitOptions
{
    /// <summary>The default <see cref="Timeout"/>: one hour.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(1);

    /// <summary>The default <see cref="InitialPollInterval"/>: one second.</summary>
    public static readonly TimeSpan DefaultInitialPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The default <see cref="MaxPollInterval"/>: 15 seconds.</summary>
    public static readonly TimeSpan DefaultMaxPollInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long to wait for the task, from the start of the wait. When it passes, the wait ends with
    /// <see cref="PullStillRunningException"/> naming the task, which keeps running at VOD.
    /// </summary>
    /// <remarks>Default 1 hour; positive, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> to wait until the task ends or the token is cancelled.</remarks>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>The wait before the second DescribeTaskDetail (the first is sent at once); each later wait doubles.</summary>
    /// <remarks>Default 1 second; positive, at most <see cref="MaxPollInterval"/>.</remarks>
    public TimeSpan InitialPollInterval { get; set; } = DefaultInitialPollInterval;

    /// <summary>The longest wait between two DescribeTaskDetail calls.</summary>
    /// <remarks>Default 15 seconds; at least <see cref="InitialPollInterval"/>. VOD allows 100 DescribeTaskDetail calls a second per account.</remarks>
    public TimeSpan MaxPollInterval { get; set; } = DefaultMaxPollInterval;

    internal PullWaitOptions Validated()
    {
        if (Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InitialPollInterval, TimeSpan.Zero, nameof(InitialPollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPollInterval, InitialPollInterval, nameof(MaxPollInterval));
        return new PullWaitOptions { Timeout = Timeout, InitialPollInterval = InitialPollInterval, MaxPollInterval = MaxPollInterval };
    }
}
