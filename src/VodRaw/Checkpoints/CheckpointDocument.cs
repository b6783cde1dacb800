using System.Text.Json.Serialization;

namespace VodRaw.Checkpoints;

/// <summary>
/// What a checkpoint file holds (spec/resume.md): the request as ApplyUpload got it, the session ApplyUpload opened,
/// and per file its fingerprint, COS key, multipart upload and confirmed parts. Plain data; only
/// <see cref="SessionRecord.Credential"/> carries a secret, and that one sealed.
/// </summary>
internal sealed class CheckpointDocument
{
    public const int CurrentSchema = 1;

    public int Schema { get; set; } = CurrentSchema;

    public string Id { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    /// <summary>The ApplyUpload body exactly as it was sent (JSON text).</summary>
    public string Request { get; set; } = string.Empty;

    public long? SubAppId { get; set; }

    /// <summary>The SecretId of the caller's key (not secret); a checkpoint of another key is not this caller's.</summary>
    public string CallerSecretId { get; set; } = string.Empty;

    /// <summary>The service the upload belongs to: the VOD endpoint and COS endpoint template, normalised (never resumed against another).</summary>
    public string Service { get; set; } = string.Empty;

    public long PartSize { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }

    public SessionRecord Session { get; set; } = new();

    public List<FileRecord> Files { get; set; } = [];

    public bool CommitSent { get; set; }

    /// <summary>Set once CommitUpload succeeded, when the store keeps committed uploads (<see cref="CheckpointStore.KeepCommitted"/>).</summary>
    public CommittedRecord? Committed { get; set; }
}

/// <summary>What CommitUpload returned, kept so running the same upload again returns it instead of uploading twice.</summary>
internal sealed class CommittedRecord
{
    public string FileId { get; set; } = string.Empty;

    public string MediaUrl { get; set; } = string.Empty;

    public string? CoverUrl { get; set; }

    public string? RequestId { get; set; }

    public long BytesUploaded { get; set; }

    public long BytesResumed { get; set; }

    /// <summary>Unix milliseconds.</summary>
    public long CommittedAt { get; set; }
}

/// <summary>What ApplyUpload returned.</summary>
internal sealed class SessionRecord
{
    public string VodSessionKey { get; set; } = string.Empty;

    public string Bucket { get; set; } = string.Empty;

    public string StorageRegion { get; set; } = string.Empty;

    public string MediaStoragePath { get; set; } = string.Empty;

    public string? CoverStoragePath { get; set; }

    public string? RequestId { get; set; }

    /// <summary>The temporary COS credential; null when ApplyUpload gave none (the caller's key is used).</summary>
    public CredentialRecord? Credential { get; set; }

    /// <summary>The ApplyUpload result this session came from, with its credential opened.</summary>
    public Api.ApplyUploadResult ToApplyResult(Api.TempCertificate? credential) => new()
    {
        VodSessionKey = VodSessionKey,
        StorageBucket = Bucket,
        StorageRegion = StorageRegion,
        MediaStoragePath = MediaStoragePath,
        CoverStoragePath = CoverStoragePath,
        RequestId = RequestId,
        TempCertificate = credential,
    };
}

/// <summary>A temporary credential: SecretId and expiry in clear, SecretKey and Token sealed (AES-GCM).</summary>
internal sealed class CredentialRecord
{
    public string SecretId { get; set; } = string.Empty;

    /// <summary>Unix seconds; 0 when ApplyUpload gave no expiry.</summary>
    public long ExpiresAt { get; set; }

    /// <summary>Base64 of nonce ‖ ciphertext ‖ tag (see <see cref="CheckpointSealer"/>).</summary>
    public string Sealed { get; set; } = string.Empty;
}

/// <summary>One file of the upload (media, cover, or a segment of a package).</summary>
internal sealed class FileRecord
{
    public string Role { get; set; } = string.Empty;

    public string Path { get; set; } = string.Empty;

    public string RelativePath { get; set; } = string.Empty;

    public FileFingerprint Fingerprint { get; set; } = new();

    public string Key { get; set; } = string.Empty;

    public string? UploadId { get; set; }

    public bool Complete { get; set; }

    public List<PartRecord> Parts { get; set; } = [];
}

/// <summary>A part COS confirmed.</summary>
internal sealed class PartRecord
{
    public int Number { get; set; }

    public long Size { get; set; }

    public string ETag { get; set; } = string.Empty;

    public ulong Crc64 { get; set; }
}

/// <summary>The sealed part of a credential, before sealing.</summary>
internal sealed class SealedSecrets
{
    public string SecretKey { get; set; } = string.Empty;

    public string? Token { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CheckpointDocument))]
[JsonSerializable(typeof(SealedSecrets))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
