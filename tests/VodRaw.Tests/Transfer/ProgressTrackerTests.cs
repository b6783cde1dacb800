using Microsoft.Extensions.Time.Testing;
using VodRaw.Transfer;

namespace VodRaw.Tests.Transfer;

public sealed class ProgressTrackerTests
{
    [Fact]
    public void TheMeasuredRateWaitsForAConfirmedPartAndASecondOfSending()
    {
        var time = new FakeTimeProvider();
        var tracker = new ProgressTracker(null, time, TimeSpan.Zero);
        tracker.SetPhase(UploadPhase.Uploading);
        time.Advance(TimeSpan.FromSeconds(10)); // set-up time does not count
        var part = tracker.StartPart();
        part.Sent(100);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(tracker.MeasuredBytesPerSecond()); // nothing confirmed yet: a slow start is not a slow link
        part.Finish(true, 10 * 1024 * 1024);
        Assert.Equal(10.0 * 1024 * 1024 / 5, tracker.MeasuredBytesPerSecond()!.Value, precision: 3);
    }

    [Fact]
    public void TheRateIsSharedAmongThePartsInFlight()
    {
        var time = new FakeTimeProvider();
        var tracker = new ProgressTracker(null, time, TimeSpan.Zero);
        var first = tracker.StartPart();
        first.Sent(1);
        time.Advance(TimeSpan.FromSeconds(2));
        first.Finish(true, 4000);
        _ = tracker.StartPart();
        _ = tracker.StartPart();
        Assert.Equal(1000, tracker.MeasuredBytesPerSecond()!.Value, precision: 3);
    }

    [Fact]
    public void ReportsReachTheSinkInOrderAndOutsideTheLock()
    {
        var seen = new List<long>();
        ProgressTracker? tracker = null;
        var sink = new VodRaw.Tests.EndToEnd.SynchronousProgress<UploadProgress>(p =>
        {
            seen.Add(p.BytesUploaded);
            // Re-entering the tracker from the sink must not deadlock (the sink is called outside the lock).
            _ = tracker!.MeasuredBytesPerSecond();
            tracker.SetTotals(100, 1);
        });
        tracker = new ProgressTracker(sink, new FakeTimeProvider(), TimeSpan.Zero);
        var part = tracker.StartPart();
        part.Sent(10);
        part.Sent(20);
        part.Finish(true, 30);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(30, seen[^1]);
    }
}
