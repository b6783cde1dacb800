using VodRaw.Cos;

namespace VodRaw.Tests.Cos;

public sealed class CredentialExpiryGuardTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void ASmallRequestGoesAheadWithAShortLivedCredential()
    {
        var guard = new CredentialExpiryGuard(Now.AddSeconds(30), TimeSpan.FromSeconds(5), () => 1024 * 1024);
        guard.EnsureCanFinish(Now, 1024);
    }

    [Fact]
    public void APartThatCannotFinishAtTheMeasuredRateIsNotStarted()
    {
        var guard = new CredentialExpiryGuard(Now.AddSeconds(30), TimeSpan.FromSeconds(5), () => 1024 * 1024); // 1 MiB/s
        var error = Assert.Throws<CredentialExpiredException>(() => guard.EnsureCanFinish(Now, 64L * 1024 * 1024));
        Assert.Equal(Now.AddSeconds(30), error.ExpiredAt);
        Assert.Contains("2026-12-01 12:00:30Z", error.Message, StringComparison.Ordinal);
        Assert.Contains("64", error.Message, StringComparison.Ordinal);
        guard.EnsureCanFinish(Now, 20L * 1024 * 1024); // 20 s of 25 usable: goes
    }

    [Fact]
    public void WithoutAMeasuredRateOnlyTheExpiryItselfCounts()
    {
        var guard = new CredentialExpiryGuard(Now.AddSeconds(30), TimeSpan.FromSeconds(5), () => null);
        guard.EnsureCanFinish(Now, 1L << 30);
        Assert.Throws<CredentialExpiredException>(() => guard.EnsureCanFinish(Now.AddSeconds(26), 1));
    }

    [Fact]
    public void ACredentialWithoutExpiryIsNeverRefused()
    {
        new CredentialExpiryGuard(null, TimeSpan.FromSeconds(5), () => 1).EnsureCanFinish(Now, long.MaxValue);
    }

    [Fact]
    public void TheOneExpiryRuleCountsTheAllowanceAndTheExactInstant()
    {
        var expires = DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var margin = TimeSpan.FromSeconds(5);
        Assert.False(CredentialExpiryGuard.HasExpired(null, margin, expires.AddYears(1))); // no expiry given: never
        Assert.True(CredentialExpiryGuard.HasExpired(expires, margin, expires - margin)); // at the allowance's edge
        Assert.False(CredentialExpiryGuard.HasExpired(expires, margin, expires - margin - TimeSpan.FromTicks(1)));
        Assert.True(CredentialExpiryGuard.HasExpired(expires, TimeSpan.Zero, expires));
        Assert.False(CredentialExpiryGuard.HasExpired(expires, TimeSpan.Zero, expires - TimeSpan.FromTicks(1)));
    }
}
