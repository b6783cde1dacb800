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
public readonly record struct UploadProgress
{
    /// <summary>Creates a <see cref="UploadProgress"/>.</summary>
    /// <param name="phase">The current phase.</param>
    /// <param name="bytesUploaded">Bytes sent so far.</param>
    /// <param name="totalBytes">Bytes to send in all, or -1 while a stream of unknown length is being read.</param>
    /// <param name="partsCompleted">Parts (and single PUTs) confirmed by COS.</param>
    /// <param name="partsInFlight">Parts being sent right now.</param>
    /// <param name="filesCompleted">Files finished.</param>
    /// <param name="filesTotal">Files to upload.</param>
    public UploadProgress(UploadPhase phase, long bytesUploaded, long totalBytes, int partsCompleted, int partsInFlight, int filesCompleted, int filesTotal)
    {
        Phase = phase;
        BytesUploaded = bytesUploaded;
        TotalBytes = totalBytes;
        PartsCompleted = partsCompleted;
        PartsInFlight = partsInFlight;
        FilesCompleted = filesCompleted;
        FilesTotal = filesTotal;
    }

    /// <summary>The current phase.</summary>
    public UploadPhase Phase { get; init; }

    /// <summary>Bytes sent so far.</summary>
    public long BytesUploaded { get; init; }

    /// <summary>Bytes to send in all, or -1 while a stream of unknown length is being read.</summary>
    public long TotalBytes { get; init; }

    /// <summary>Parts (and single PUTs) confirmed by COS.</summary>
    public int PartsCompleted { get; init; }

    /// <summary>Parts being sent right now.</summary>
    public int PartsInFlight { get; init; }

    /// <summary>Files finished.</summary>
    public int FilesCompleted { get; init; }

    /// <summary>Files to upload.</summary>
    public int FilesTotal { get; init; }

    /// <summary>Percentage done (0–100), or null when the total is unknown.</summary>
    public double? Percent => TotalBytes < 0 ? null : TotalBytes == 0 ? 100 : 100.0 * BytesUploaded / TotalBytes;
}
