namespace VodRaw.Transfer;

/// <summary>
/// Where the multipart algorithm records what COS confirmed for one object, so an interrupted upload can resume
/// (a checkpoint implements it; without one nothing is recorded).
/// </summary>
internal interface IObjectJournal
{
    /// <summary>A multipart upload was started; called before its first part is sent.</summary>
    void Initiated(string uploadId);

    /// <summary>COS confirmed a part.</summary>
    void PartCompleted(CompletedPart part);

    /// <summary>The object is stored: a whole-object PUT of <paramref name="putBytes"/> bytes, or (0) a Complete that was applied.</summary>
    void Completed(long putBytes);
}
