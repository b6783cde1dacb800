namespace VodRaw.Tests.Support;

/// <summary>A fresh emulator and client per test, and a media file of four 1 MiB parts (the last one short).</summary>
public abstract class FourPartUploadTest : IAsyncLifetime
{
    private protected UploadHarness H { get; private set; } = null!;

    private protected string MediaPath { get; private set; } = null!;

    private protected byte[] MediaContent { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        H = await UploadHarness.StartAsync();
        (MediaPath, MediaContent) = H.File("media.mp4", (3 * 1024 * 1024) + 100);
    }

    public async Task DisposeAsync() => await H.DisposeAsync();

    /// <summary>A fault test proves its fault happened: every declared rule fired at least once.</summary>
    private protected void AssertEveryFaultFired() =>
        Assert.All(H.Emulator.Faults.Rules, rule => Assert.True(rule.Fired > 0, $"the {rule.Kind} fault on {rule.Operation} never fired"));
}
