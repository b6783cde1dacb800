using VodRaw.Checkpoints;

namespace VodRaw.Tests.Checkpoints;

public sealed class CheckpointLockTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "vodraw-lock-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void OneHolderAtATimeAndTheLockFileGoesWithTheLastRelease()
    {
        var held = CheckpointLock.TryAcquire(_directory, "abc123");
        Assert.NotNull(held);
        Assert.True(File.Exists(Path.Combine(_directory, "abc123.lock")));
        Assert.Null(CheckpointLock.TryAcquire(_directory, "abc123")); // another open file description: refused
        using (var other = CheckpointLock.TryAcquire(_directory, "def456"))
        {
            Assert.NotNull(other); // another checkpoint is not affected
        }

        held!.Dispose();
        Assert.False(File.Exists(Path.Combine(_directory, "abc123.lock")));
        using var again = CheckpointLock.TryAcquire(_directory, "abc123");
        Assert.NotNull(again);
    }

    [Fact]
    public void ALockFileLeftByACrashedRunIsTakenOver()
    {
        // A process that died holding the lock leaves the file but not the lock (the OS drops it with the process).
        Directory.CreateDirectory(_directory);
        File.WriteAllBytes(Path.Combine(_directory, "abc123.lock"), []);
        using var taken = CheckpointLock.TryAcquire(_directory, "abc123");
        Assert.NotNull(taken);
    }
}
