using Microsoft.Extensions.Time.Testing;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

/// <summary><c>x-cos-traffic-limit</c>: checked as COS documents it, and applied on the emulator's (fake) clock.</summary>
public sealed class TrafficLimitTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private VodEmulator _emulator = null!;
    private RawRequests _raw = null!;
    private EmulatorCredential _temp = null!;
    private string _bucket = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { TimeProvider = _time });
        _raw = new RawRequests(_emulator, _time);
        (_, _temp, _bucket, _directory) = await _raw.OpenSessionAsync();
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _emulator.DisposeAsync();
    }

    [Theory]
    [InlineData("819199")]
    [InlineData("838860801")]
    [InlineData("fast")]
    [InlineData("-1")]
    public async Task ALimitOutsideCossRangeIsRefused(string limit)
    {
        var response = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "limited.mp4", _temp, new byte[10], headers: [new("x-cos-traffic-limit", limit)]);
        await CosTests.AssertCosError(response, 400, "InvalidArgument");
        Assert.Null(_emulator.GetObject(_bucket, _directory + "limited.mp4"));
    }

    [Fact]
    public async Task ALimitedPutIsAnsweredOnlyWhenTheBodyCouldHaveArrivedAtThatRate()
    {
        // 204,800 bytes at 819,200 bit/s (100 KB/s): two seconds on the emulator's clock.
        var put = _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "limited.mp4", _temp, new byte[204_800], headers: [new("x-cos-traffic-limit", "819200")]);
        var advanced = TimeSpan.Zero;
        while (!put.IsCompleted && advanced < TimeSpan.FromSeconds(30))
        {
            await Task.WhenAny(put, Task.Delay(20));
            if (!put.IsCompleted)
            {
                _time.Advance(TimeSpan.FromMilliseconds(250));
                advanced += TimeSpan.FromMilliseconds(250);
            }
        }

        Assert.Equal(200, (int)(await put).StatusCode);
        Assert.InRange(advanced, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));

        // Without the header the same PUT is answered with the clock standing still.
        var free = await _raw.CosAsync(HttpMethod.Put, _bucket, _directory + "free.mp4", _temp, new byte[204_800]);
        Assert.Equal(200, (int)free.StatusCode);
    }
}
