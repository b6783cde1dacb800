namespace VodRaw.Emulator.Origin;

/// <summary>What an <see cref="OriginFaultRule"/> does; one value per <see cref="OriginFaultPlan"/> method.</summary>
public enum OriginFaultKind
{
    /// <summary>Answer a status (e.g. 503, with <c>Retry-After</c>) with an empty body, before anything else is checked.</summary>
    Status,

    /// <summary>Wait before answering (before anything else is checked), then answer normally.</summary>
    DelayHeaders,

    /// <summary>Send a GET's headers, then nothing until the client gives up or the origin stops.</summary>
    Stall,

    /// <summary>Send a GET's headers with the honest length, then drop the connection after some body bytes.</summary>
    DropMidBody,

    /// <summary>Send a GET's headers with the honest length, then drop the connection that many bytes before the end.</summary>
    ShortBody,

    /// <summary>Answer a ranged GET with the right bytes but a different total in <c>Content-Range</c>.</summary>
    WrongTotal,

    /// <summary>Replace the object once a number of requests have found it (the origin changed mid-transfer).</summary>
    ChangeAfter,
}
