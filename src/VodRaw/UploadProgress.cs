namespace VodRaw;

/// <summary>Where an upload is.</summary>
public enum UploadPhase
{
    /// <summary>Calling ApplyUpload (and, for manifests, discovering segments).</summary>
    Applying,

    /// <summary>Sending files to COS.</summary>
    Uploading,

    /// <summary>Calling CommitUpload.</summary>
    Committing,

    /// <summary>Done; the last report.</summary>
    Completed,
}

/// <summary>
/// A progress report. Byte counts cover every file of the upload (media, cover, segments), only grow (a retried part
/// does not count twice), and reach <see cref="TotalBytes"/> in the final report.
/// </summary>
/// <param name="Phase">The current phase.</param>
/// <param name="BytesUploaded">Bytes sent so far.</param>
/// <param name="TotalBytes">Bytes to send in all, or -1 while a stream of unknown length is being read.</param>
/// <param name="PartsCompleted">Parts (and single PUTs) confirmed by COS.</param>
/// <param name="PartsInFlight">Parts being sent right now.</param>
/// <param name="FilesCompleted">Files finished.</param>
/// <param name="FilesTotal">Files to upload.</param>
public readonly record struct UploadProgress(
    UploadPhase Phase,
    long BytesUploaded,
    long TotalBytes,
    int PartsCompleted,
    int PartsInFlight,
    int FilesCompleted,
    int FilesTotal)
{
    /// <summary>Percentage done (0–100), or null when the total is unknown.</summary>
    public double? Percent => TotalBytes < 0 ? null : TotalBytes == 0 ? 100 : 100.0 * BytesUploaded / TotalBytes;
}
