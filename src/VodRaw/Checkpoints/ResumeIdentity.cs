using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VodRaw.Api;
using VodRaw.Upload;

namespace VodRaw.Checkpoints;

/// <summary>
/// Which checkpoint belongs to an upload: its id is a hash of the caller's SecretId, the region, the ApplyUpload
/// body, the full paths of every file and the service (the VOD endpoint and COS endpoint template, normalised by
/// <see cref="ServiceEndpoint"/>), so the same command finds its own checkpoint and nothing else, and a checkpoint is
/// never resumed against another service than the one it was made with. Holds the
/// files' fingerprints (taken before anything is sent) and seals and opens the temporary credential.
/// </summary>
internal sealed class ResumeIdentity
{
    private readonly VodCredential _caller;

    private ResumeIdentity(VodCredential caller, string id, string region, string request, long? subAppId, IReadOnlyList<string> paths, FileFingerprint[] fingerprints, string service)
    {
        Service = service;
        _caller = caller;
        Id = id;
        Region = region;
        Request = request;
        SubAppId = subAppId;
        Paths = paths;
        Fingerprints = fingerprints;
    }

    public string Id { get; }

    /// <summary>The service the upload goes to (normalised endpoints), recorded in the checkpoint.</summary>
    public string Service { get; }

    public string Region { get; }

    public string Request { get; }

    public long? SubAppId { get; }

    public IReadOnlyList<string> Paths { get; }

    public FileFingerprint[] Fingerprints { get; }

    public static async Task<ResumeIdentity> CreateAsync(VodCredential caller, ValidatedUpload upload, IReadOnlyList<UploadFile> files, string service, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Serialize(upload.ApplyBody, VodJsonContext.Default.ApplyUploadBody);
        var paths = files.Select(f => f.Path).ToList();
        var fingerprints = new FileFingerprint[files.Count];
        for (var i = 0; i < files.Count; i++)
        {
            fingerprints[i] = files[i].Source is Sources.UrlPartSource url
                ? FileFingerprint.OfOrigin(url.Origin)
                : await FileFingerprint.OfAsync(paths[i], cancellationToken).ConfigureAwait(false);
        }

        return new ResumeIdentity(caller, ComputeId(caller.SecretId, upload.Region, request, paths, service), upload.Region, request, upload.SubAppId, paths, fingerprints, service);
    }

    /// <summary>
    /// 32 hex digits of SHA-256 over the caller's SecretId, region, request body and file paths, then (when given) the
    /// line <c>service {service}</c> (spec/resume.md).
    /// </summary>
    public static string ComputeId(string secretId, string region, string request, IReadOnlyList<string> paths, string? service = null)
    {
        var text = new StringBuilder().Append("vodraw-checkpoint-id 1\n").Append(secretId).Append('\n').Append(region).Append('\n').Append(request).Append('\n');
        foreach (var path in paths)
        {
            text.Append(path).Append('\n');
        }

        if (service is not null)
        {
            text.Append("service ").Append(service).Append('\n');
        }

        return Hex.ToLowerString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    public bool Describes(CheckpointDocument document) =>
        document.Id == Id && document.Region == Region && document.Request == Request && document.CallerSecretId == _caller.SecretId && document.Service == Service
        && document.Files.Count == Paths.Count && document.Files.Select(f => f.Path).SequenceEqual(Paths, StringComparer.Ordinal);

    /// <summary>The checkpoint of a session ApplyUpload just opened (no part yet).</summary>
    public CheckpointDocument NewDocument(ApplyUploadResult apply, IReadOnlyList<(string Role, string RelativePath)> roles, IReadOnlyList<string> keys, long partSize, DateTimeOffset now)
    {
        var document = new CheckpointDocument
        {
            Id = Id,
            Region = Region,
            Request = Request,
            SubAppId = SubAppId,
            CallerSecretId = _caller.SecretId,
            Service = Service,
            PartSize = partSize,
            CreatedAt = now.ToUnixTimeMilliseconds(),
            UpdatedAt = now.ToUnixTimeMilliseconds(),
            Session = new SessionRecord
            {
                VodSessionKey = apply.VodSessionKey ?? string.Empty,
                Bucket = apply.StorageBucket ?? string.Empty,
                StorageRegion = apply.StorageRegion ?? string.Empty,
                MediaStoragePath = apply.MediaStoragePath ?? string.Empty,
                CoverStoragePath = apply.CoverStoragePath,
                RequestId = apply.RequestId,
                Credential = Seal(apply.TempCertificate),
            },
        };
        for (var i = 0; i < Paths.Count; i++)
        {
            document.Files.Add(new FileRecord { Role = roles[i].Role, Path = Paths[i], RelativePath = roles[i].RelativePath, Fingerprint = Fingerprints[i], Key = keys[i] });
        }

        return document;
    }

    /// <summary>The temporary credential of a checkpoint, or null when it does not open with this caller's key.</summary>
    public TempCertificate? OpenCredential(CredentialRecord record) => OpenCredential(_caller, Id, record);

    public static TempCertificate? OpenCredential(VodCredential caller, string id, CredentialRecord record)
    {
        var plaintext = CheckpointSealer.Open(caller.SecretKey, id, record.SecretId, record.Sealed);
        if (plaintext is null)
        {
            return null;
        }

        try
        {
            var secrets = JsonSerializer.Deserialize(plaintext, CheckpointJsonContext.Default.SealedSecrets);
            return secrets is { SecretKey.Length: > 0 }
                ? new TempCertificate { SecretId = record.SecretId, SecretKey = secrets.SecretKey, Token = secrets.Token, ExpiredTime = record.ExpiresAt }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private CredentialRecord? Seal(TempCertificate? temp)
    {
        if (temp is not { SecretId.Length: > 0, SecretKey.Length: > 0 })
        {
            return null;
        }

        var plaintext = JsonSerializer.SerializeToUtf8Bytes(new SealedSecrets { SecretKey = temp.SecretKey, Token = temp.Token }, CheckpointJsonContext.Default.SealedSecrets);
        try
        {
            return new CredentialRecord { SecretId = temp.SecretId, ExpiresAt = temp.ExpiredTime, Sealed = CheckpointSealer.Seal(_caller.SecretKey, Id, temp.SecretId, plaintext) };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
