namespace VodRaw.Emulator;

/// <summary>A media the emulator committed, uploaded or pulled (<see cref="VodEmulator.CommittedMedia"/>).</summary>
public sealed class EmulatorMedia
{
    internal EmulatorMedia(string fileId, string mediaUrl, string? coverUrl, string applyUploadBody)
    {
        FileId = fileId;
        MediaUrl = mediaUrl;
        CoverUrl = coverUrl;
        ApplyUploadBody = applyUploadBody;
    }

    /// <summary>The FileId CommitUpload answered.</summary>
    public string FileId { get; }

    /// <summary>The media's URL.</summary>
    public string MediaUrl { get; }

    /// <summary>The cover's URL, when the upload had a cover.</summary>
    public string? CoverUrl { get; }

    /// <summary>
    /// The ApplyUpload request body (JSON) the media was applied with: MediaType, MediaName, Procedure, ClassId, contexts.
    /// For media VOD pulled, the PullUpload request body (MediaUrl, MediaName, SessionId, …).
    /// </summary>
    public string ApplyUploadBody { get; }
}
