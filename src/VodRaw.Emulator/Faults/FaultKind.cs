namespace VodRaw.Emulator;

/// <summary>What an injected fault does.</summary>
public enum FaultKind
{
    /// <summary>Answer with an error status and code (VOD: the JSON error envelope; COS: the XML error body).</summary>
    Fail,

    /// <summary>Read part of the body, then drop the connection.</summary>
    ResetConnection,

    /// <summary>Wait, then handle the request normally.</summary>
    Delay,

    /// <summary>Stop reading the request body for a while (or until the client gives up), then answer 400 RequestTimeout.</summary>
    Stall,

    /// <summary>Handle an UploadPart or PUT normally but report a wrong <c>x-cos-hash-crc64ecma</c>.</summary>
    WrongCrc64,

    /// <summary>Answer Complete Multipart Upload with 200 and an <c>Error</c> body instead of the result.</summary>
    CompleteErrorBody,

    /// <summary>
    /// Handle the request normally — it takes effect (the object is assembled, the upload created, the media
    /// committed) — then drop the connection instead of sending the reply: a reply lost on the way back.
    /// </summary>
    LoseReply,

    /// <summary>Handle the request normally (it takes effect at once), then hold the reply back for <see cref="FaultRule.Duration"/>.</summary>
    DelayReply,

    /// <summary>Answer a COS request with 200 and an <c>Error</c> body (no ETag, no CRC header) instead of doing it.</summary>
    OkWithErrorBody,
}
