namespace VodRaw.Emulator;

/// <summary>One request as the emulator saw it (no header values, so no secret can leak through the log).</summary>
/// <param name="At">When it arrived, by the emulator's clock.</param>
/// <param name="Operation">What it was.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Target">The VOD action, or the COS bucket and decoded object key.</param>
/// <param name="PartNumber">For UploadPart, the part number.</param>
/// <param name="Status">HTTP status answered (200 for VOD errors, which travel in the body).</param>
/// <param name="ErrorCode">The error code answered, if any.</param>
/// <param name="Fault">The injected fault that shaped the answer, if any.</param>
/// <param name="BodyBytes">Request body bytes the emulator read.</param>
public sealed record EmulatorRequest(
    DateTimeOffset At,
    EmulatorOperation Operation,
    string Method,
    string Target,
    int? PartNumber,
    int Status,
    string? ErrorCode,
    FaultKind? Fault,
    long BodyBytes);
