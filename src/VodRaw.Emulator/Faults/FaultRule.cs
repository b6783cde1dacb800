namespace VodRaw.Emulator;

/// <summary>
/// One declared fault: it fires on the <see cref="Occurrence"/>-th request that matches <see cref="Operation"/> (and
/// <see cref="PartNumber"/> when set), and on the following ones until it has fired <see cref="Times"/> times.
/// </summary>
public sealed class FaultRule
{
    private int _seen;
    private int _fired;

    /// <summary>The operation it applies to.</summary>
    public required EmulatorOperation Operation { get; init; }

    /// <summary>What it does.</summary>
    public required FaultKind Kind { get; init; }

    /// <summary>Only requests for this part number match (UploadPart); null matches any.</summary>
    public int? PartNumber { get; init; }

    /// <summary>Only COS requests whose object key ends with this match; null matches any.</summary>
    public string? KeySuffix { get; init; }

    /// <summary>Which matching request fires first, counting from 1. Default 1.</summary>
    public int Occurrence { get; init; } = 1;

    /// <summary>How many matching requests fire, from <see cref="Occurrence"/> on. Default 1.</summary>
    public int Times { get; init; } = 1;

    /// <summary>For <see cref="FaultKind.Fail"/>: the HTTP status (VOD errors use 200 with an error envelope). Default 500.</summary>
    public int Status { get; init; } = 500;

    /// <summary>For <see cref="FaultKind.Fail"/> and <see cref="FaultKind.CompleteErrorBody"/>: the error code. Default InternalError.</summary>
    public string Code { get; init; } = "InternalError";

    /// <summary>For <see cref="FaultKind.Fail"/>: a Retry-After value to send, if any.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>For <see cref="FaultKind.Delay"/> and <see cref="FaultKind.Stall"/>: how long. A stall with no duration lasts until the client disconnects.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>For <see cref="FaultKind.ResetConnection"/>: body bytes read before the connection drops. Default 0.</summary>
    public long AfterBytes { get; init; }

    /// <summary>How many times it has fired.</summary>
    public int Fired => Volatile.Read(ref _fired);

    internal bool TryFire(EmulatorOperation operation, int? partNumber, string? key)
    {
        if (operation != Operation || (PartNumber is not null && PartNumber != partNumber)
            || (KeySuffix is not null && (key is null || !key.EndsWith(KeySuffix, StringComparison.Ordinal))))
        {
            return false;
        }

        var seen = Interlocked.Increment(ref _seen);
        if (seen < Occurrence || seen >= Occurrence + Times)
        {
            return false;
        }

        Interlocked.Increment(ref _fired);
        return true;
    }
}
