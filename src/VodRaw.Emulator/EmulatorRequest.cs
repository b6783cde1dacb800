namespace VodRaw.Emulator;

/// <summary>
/// One request as the emulator saw it (no header values, so no secret can leak through the log). A class with
/// init-only properties, not a positional record, so that the log can gain fields without breaking callers.
/// </summary>
public sealed class EmulatorRequest
{
    internal EmulatorRequest()
    {
    }

    /// <summary>When it arrived, by the emulator's clock.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>What it was.</summary>
    public required EmulatorOperation Operation { get; init; }

    /// <summary>HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>The VOD action, or the COS bucket and decoded object key.</summary>
    public required string Target { get; init; }

    /// <summary>For UploadPart, the part number.</summary>
    public int? PartNumber { get; init; }

    /// <summary>HTTP status answered (200 for VOD errors, which travel in the body); 0 when the connection was dropped.</summary>
    public required int Status { get; init; }

    /// <summary>The error code answered, if any.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The injected fault that shaped the answer, if any.</summary>
    public FaultKind? Fault { get; init; }

    /// <summary>Request body bytes the emulator read.</summary>
    public long BodyBytes { get; init; }

    /// <summary>One line: time, operation, target, part, status, code, fault, bytes.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {Operation} {Method} {Target}{(PartNumber is { } p ? " part=" + p : string.Empty)} status={Status}{(ErrorCode is null ? string.Empty : " code=" + ErrorCode)}{(Fault is { } f ? " fault=" + f : string.Empty)} bytes={BodyBytes}");
}
