namespace VodRaw.Transfer;

/// <summary>
/// Where the multipart algorithm records what COS confirmed for one object, so an interrupted upload can resume
/// (a checkpoint implements it; without one, <see cref="Checkpoints.NullJournal"/> records nothing).
/// </summary>
internal interface IObjectJournal
{
    /// <summary>A multipart upload was started; recorded durably before its first part is sent, so it is never orphaned.</summary>
    ValueTask InitiatedAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>COS confirmed a part.</summary>
    void PartCompleted(CompletedPart part);

    /// <summary>The object is stored: a whole-object PUT of <paramref name="putBytes"/> bytes, or (0) a Complete that was applied.</summary>
    void Completed(long putBytes);
}
