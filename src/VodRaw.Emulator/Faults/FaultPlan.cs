namespace VodRaw.Emulator;

/// <summary>
/// The faults the emulator injects, declared by tests (or the standalone emulator's user). Rules are checked in the
/// order added; the first that fires shapes the answer. Thread-safe.
/// </summary>
public sealed class FaultPlan
{
    private readonly List<FaultRule> _rules = [];
    private readonly object _gate = new();

    /// <summary>The declared rules.</summary>
    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules];
            }
        }
    }

    /// <summary>Adds a rule.</summary>
    public FaultPlan Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return this;
    }

    /// <summary>Fails the n-th matching request with a status and code (plus Retry-After).</summary>
    public FaultPlan Fail(EmulatorOperation operation, int status, string code, int occurrence = 1, int? partNumber = null, TimeSpan? retryAfter = null, int times = 1) =>
        Add(new FaultRule { Operation = operation, Kind = FaultKind.Fail, Status = status, Code = code, Occurrence = occurrence, PartNumber = partNumber, RetryAfter = retryAfter, Times = times });

    /// <summary>Drops the connection after reading <paramref name="afterBytes"/> of the n-th matching request's body.</summary>
    public FaultPlan ResetConnection(EmulatorOperation operation, long afterBytes = 0, int occurrence = 1, int? partNumber = null, int times = 1) =>
        Add(new FaultRule { Operation = operation, Kind = FaultKind.ResetConnection, AfterBytes = afterBytes, Occurrence = occurrence, PartNumber = partNumber, Times = times });

    /// <summary>Delays the n-th matching request.</summary>
    public FaultPlan Delay(EmulatorOperation operation, TimeSpan delay, int occurrence = 1, int? partNumber = null, int times = 1) =>
        Add(new FaultRule { Operation = operation, Kind = FaultKind.Delay, Duration = delay, Occurrence = occurrence, PartNumber = partNumber, Times = times });

    /// <summary>Stops reading the n-th matching request's body (for <paramref name="duration"/>, or until the client disconnects).</summary>
    public FaultPlan Stall(EmulatorOperation operation, TimeSpan? duration = null, int occurrence = 1, int? partNumber = null, int times = 1) =>
        Add(new FaultRule { Operation = operation, Kind = FaultKind.Stall, Duration = duration, Occurrence = occurrence, PartNumber = partNumber, Times = times });

    /// <summary>Reports a wrong CRC-64 for the n-th matching UploadPart (or PUT Object when <paramref name="operation"/> says so).</summary>
    public FaultPlan WrongCrc64(int? partNumber = null, int occurrence = 1, EmulatorOperation operation = EmulatorOperation.UploadPart, int times = 1) =>
        Add(new FaultRule { Operation = operation, Kind = FaultKind.WrongCrc64, PartNumber = partNumber, Occurrence = occurrence, Times = times });

    /// <summary>Answers the n-th Complete Multipart Upload with 200 and an error body.</summary>
    public FaultPlan CompleteWithErrorBody(string code = "InternalError", int occurrence = 1, int times = 1) =>
        Add(new FaultRule { Operation = EmulatorOperation.CompleteMultipartUpload, Kind = FaultKind.CompleteErrorBody, Code = code, Occurrence = occurrence, Times = times });

    /// <summary>Applies the n-th matching request, then drops the connection instead of replying (a lost reply).</summary>
    public FaultPlan LoseReply(EmulatorOperation operation, int occurrence = 1, int times = 1) =>
        Add(new FaultRule { Operation = operation, Kind = FaultKind.LoseReply, Occurrence = occurrence, Times = times });

    /// <summary>Applies the n-th matching request at once but holds its reply back for <paramref name="delay"/>.</summary>
    public FaultPlan DelayReply(EmulatorOperation operation, TimeSpan delay, int occurrence = 1, int times = 1) =>
        Add(new FaultRule { Operation = operation, Kind = FaultKind.DelayReply, Duration = delay, Occurrence = occurrence, Times = times });

    /// <summary>Answers the n-th matching COS request with 200 and an error body instead of doing it.</summary>
    public FaultPlan OkWithErrorBody(EmulatorOperation operation, string code = "InternalError", int occurrence = 1, int times = 1) =>
        Add(new FaultRule { Operation = operation, Kind = FaultKind.OkWithErrorBody, Code = code, Occurrence = occurrence, Times = times });

    /// <summary>Answers the n-th matching VOD call with RequestLimitExceeded.</summary>
    public FaultPlan RateLimitVod(EmulatorOperation operation = EmulatorOperation.ApplyUpload, int occurrence = 1, int times = 1) =>
        Fail(operation, 200, "RequestLimitExceeded", occurrence, times: times);

    /// <summary>The rules that have fired at least once (a fault test asserts its fault really happened).</summary>
    public IReadOnlyList<FaultRule> FiredRules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules.Where(r => r.Fired > 0)];
            }
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    internal FaultRule? Match(EmulatorOperation operation, int? partNumber, string? key)
    {
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (rule.TryFire(operation, partNumber, key))
                {
                    return rule;
                }
            }
        }

        return null;
    }
}
