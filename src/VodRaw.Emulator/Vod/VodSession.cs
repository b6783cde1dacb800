namespace VodRaw.Emulator.Vod;

/// <summary>What ApplyUpload promised, kept until CommitUpload.</summary>
internal sealed class VodSession
{
    public required string SessionKey { get; init; }

    public required string Bucket { get; init; }

    public required string Region { get; init; }

    public required string MediaStoragePath { get; init; }

    public required string MediaType { get; init; }

    public string? CoverStoragePath { get; init; }

    /// <summary>Whether ApplyUpload named the MediaStoragePath (FileID + Path mode), rather than the emulator choosing it.</summary>
    public bool PathChosen { get; init; }

    public long? SubAppId { get; init; }

    public required EmulatorCredential TempCredential { get; init; }

    public required DateTimeOffset TempCredentialExpires { get; init; }

    /// <summary>The directory (no leading slash, trailing slash) the temporary credential may write to.</summary>
    public required string KeyPrefix { get; init; }

    /// <summary>The ApplyUpload body as the client sent it (JSON; no credential is ever in it).</summary>
    public string ApplyUploadBody { get; init; } = "{}";

    public CommitResult? Committed { get; set; }
}

/// <summary>The answer CommitUpload gave, repeated if it is called again for the same session.</summary>
internal sealed record CommitResult(string FileId, string MediaUrl, string? CoverUrl);
