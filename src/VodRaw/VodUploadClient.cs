using System.Buffers;
using VodRaw.Api;
using VodRaw.Cos;
using VodRaw.Http;
using VodRaw.Transfer;

namespace VodRaw;

/// <summary>
/// Uploads media to Tencent Cloud VOD: ApplyUpload, the media (and cover) to COS — one PUT or a parallel multipart
/// upload — then CommitUpload. Thread-safe; reuse one client for many uploads.
/// </summary>
/// <example>
/// <code>
/// using var client = new VodUploadClient(secretId, secretKey);
/// var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4" });
/// Console.WriteLine(response.FileId);
/// </code>
/// </example>
public sealed class VodUploadClient : IDisposable
{
    private readonly VodCredential _credential;
    private readonly VodUploadClientOptions _options;
    private readonly HttpSender _sender;
    private readonly VodApiClient _api;

    /// <summary>Creates a client with a permanent API key.</summary>
    public VodUploadClient(string secretId, string secretKey)
        : this(new VodCredential(secretId, secretKey))
    {
    }

    /// <summary>Creates a client with a temporary credential (the reference SDK's third constructor argument).</summary>
    public VodUploadClient(string secretId, string secretKey, string? token)
        : this(new VodCredential(secretId, secretKey, token))
    {
    }

    /// <summary>Creates a client with a credential and options (checked now, then copied).</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public VodUploadClient(VodCredential credential, VodUploadClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        _credential = credential;
        _options = (options ?? new VodUploadClientOptions()).Validated();
        var handler = _options.HttpHandler ?? HttpSender.CreateDefaultHandler(_options.ConnectTimeout);
        _sender = new HttpSender(new HttpMessageInvoker(handler, disposeHandler: _options.HttpHandler is null), _options.Retry, _options.TimeProvider);
        _api = new VodApiClient(_sender, credential, _options.VodEndpoint, _options.SignActionHeader, _options.TimeProvider, _options.InactivityTimeout);
        var pool = ArrayPool<byte>.Create(1 << 30, TransferOptions.MaxConcurrency);
        BufferPoolFactory = (_, _) => pool;
    }

    /// <summary>
    /// Where part buffers come from: a pool this client owns, so consecutive uploads reuse the same arrays (each
    /// upload's gate still bounds how many are out at once). Tests substitute a counting pool.
    /// </summary>
    internal Func<int, long, ArrayPool<byte>> BufferPoolFactory { get; set; }

    /// <summary>Uploads a media file (and cover) and commits it.</summary>
    /// <param name="region">The VOD region to upload in, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to upload.</param>
    /// <param name="cancellationToken">Cancels the upload; a started multipart upload is aborted.</param>
    /// <returns>FileId, MediaUrl, CoverUrl and the CommitUpload RequestId.</returns>
    /// <exception cref="ArgumentException">The request is invalid (nothing was sent).</exception>
    /// <exception cref="VodApiException">The VOD API refused a call.</exception>
    /// <exception cref="CosException">COS refused or kept failing an upload request.</exception>
    /// <exception cref="CredentialExpiredException">The temporary COS credential ran out before the upload finished.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public Task<VodUploadResponse> UploadAsync(string region, VodUploadRequest request, CancellationToken cancellationToken = default) =>
        UploadAsync(region, request, progress: null, cancellationToken);

    /// <summary>Uploads a media file (and cover) and commits it, reporting progress.</summary>
    /// <param name="region">The VOD region to upload in, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to upload.</param>
    /// <param name="progress">Receives throttled progress reports and a final one at 100 %.</param>
    /// <param name="cancellationToken">Cancels the upload; a started multipart upload is aborted.</param>
    /// <returns>FileId, MediaUrl, CoverUrl and the CommitUpload RequestId.</returns>
    /// <exception cref="ArgumentException">The request is invalid (nothing was sent).</exception>
    /// <exception cref="VodApiException">The VOD API refused a call.</exception>
    /// <exception cref="CosException">COS refused or kept failing an upload request.</exception>
    /// <exception cref="CredentialExpiredException">The temporary COS credential ran out before the upload finished.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<VodUploadResponse> UploadAsync(string region, VodUploadRequest request, IProgress<UploadProgress>? progress, CancellationToken cancellationToken = default)
    {
        var upload = UploadRequestValidator.Validate(region, request, _options.Transfer);
        var files = OpenSources(upload);
        try
        {
            // Refuse impossible plans before anything is sent.
            foreach (var f in files)
            {
                if (f.Source.Length is { } length)
                {
                    PartPlan.Create(length, _options.Transfer.PartSize).EnsureBufferable();
                }
            }

            var tracker = new ProgressTracker(progress, _options.TimeProvider, _options.ProgressInterval);
            long total = 0;
            foreach (var f in files)
            {
                total = f.Source.Length is { } l && total >= 0 ? total + l : -1;
            }

            tracker.SetTotals(total, files.Count);
            tracker.SetPhase(UploadPhase.Applying);

            var apply = await _api.ApplyUploadAsync(upload.Region, upload.ApplyBody, cancellationToken).ConfigureAwait(false);
            var (endpoint, credential) = ResolveStorage(apply);
            var keys = new Dictionary<FileRole, string>
            {
                [FileRole.Media] = StorageKey(apply.MediaStoragePath, "MediaStoragePath"),
            };
            if (upload.CoverPath is not null)
            {
                keys[FileRole.Cover] = StorageKey(apply.CoverStoragePath, "CoverStoragePath");
            }

            tracker.SetPhase(UploadPhase.Uploading);
            var targetOptions = new CosTargetOptions(_options.TimeProvider, _options.InactivityTimeout, _options.CompleteTimeout,
                _options.CredentialExpiryMargin, _options.Transfer.SendContentMd5);
            var partSize = _options.Transfer.PartSize;
            using var pool = new PartBufferPool(BufferPoolFactory(upload.Concurrency, partSize), upload.Concurrency);
            var uploader = new ObjectUploader(pool, tracker, _options.AbortTimeout);
            // Parts of one plan share one array size class, so the pool reuses arrays between parts and uploads.
            long uploaded = 0;
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = upload.Concurrency, CancellationToken = cancellationToken }, async (file, ct) =>
            {
                var target = new CosObjectTarget(_sender, endpoint, credential, keys[file.Role], targetOptions);
                var bytes = await uploader.UploadAsync(file.Source, target, partSize, upload.Concurrency, ct).ConfigureAwait(false);
                Interlocked.Add(ref uploaded, bytes);
                tracker.FileCompleted();
            }).ConfigureAwait(false);

            tracker.SetPhase(UploadPhase.Committing);
            var commit = await _api.CommitUploadAsync(upload.Region, new CommitUploadBody { VodSessionKey = apply.VodSessionKey!, SubAppId = upload.SubAppId }, cancellationToken)
                .ConfigureAwait(false);
            if (string.IsNullOrEmpty(commit.FileId))
            {
                throw new VodApiException("CommitUpload", "InvalidResponse", "CommitUpload returned no FileId.") { RequestId = commit.RequestId };
            }

            tracker.SetTotals(uploaded, files.Count);
            tracker.SetPhase(UploadPhase.Completed);
            return new VodUploadResponse(commit.FileId, commit.MediaUrl ?? string.Empty, string.IsNullOrEmpty(commit.CoverUrl) ? null : commit.CoverUrl, commit.RequestId ?? string.Empty)
            {
                BytesUploaded = uploaded,
            };
        }
        finally
        {
            foreach (var f in files)
            {
                f.Source.Dispose();
            }
        }
    }

    /// <summary>Releases the HTTP handler VodRaw created (a caller's handler is left alone).</summary>
    public void Dispose() => _sender.Dispose();

    private static List<UploadFile> OpenSources(ValidatedUpload upload)
    {
        var files = new List<UploadFile>(2);
        try
        {
            IPartSource media = upload.MediaPath is not null
                ? new FilePartSource(upload.MediaPath)
                : new StreamPartSource(upload.MediaStream!, upload.MediaStream!.CanSeek ? upload.MediaStream.Length - upload.MediaStream.Position : null);
            files.Add(new UploadFile(FileRole.Media, media));
            if (upload.CoverPath is not null)
            {
                files.Add(new UploadFile(FileRole.Cover, new FilePartSource(upload.CoverPath)));
            }

            return files;
        }
        catch
        {
            foreach (var f in files)
            {
                f.Source.Dispose();
            }

            throw;
        }
    }

    private (CosEndpoint Endpoint, CosCredential Credential) ResolveStorage(ApplyUploadResult apply)
    {
        if (string.IsNullOrEmpty(apply.StorageBucket) || string.IsNullOrEmpty(apply.StorageRegion) || string.IsNullOrEmpty(apply.VodSessionKey))
        {
            throw new VodApiException("ApplyUpload", "InvalidResponse", "ApplyUpload returned no storage bucket, region or session key.") { RequestId = apply.RequestId };
        }

        var endpoint = CosEndpoint.Resolve(_options.CosEndpointTemplate, apply.StorageBucket, apply.StorageRegion);
        var temp = apply.TempCertificate;
        var credential = temp is { SecretId.Length: > 0, SecretKey.Length: > 0 }
            ? new CosCredential(temp.SecretId, temp.SecretKey, string.IsNullOrEmpty(temp.Token) ? null : temp.Token,
                temp.ExpiredTime > 0 ? DateTimeOffset.FromUnixTimeSeconds(temp.ExpiredTime) : null)
            : new CosCredential(_credential.SecretId, _credential.SecretKey, _credential.Token, null);
        return (endpoint, credential);
    }

    private static string StorageKey(string? storagePath, string field)
    {
        var key = storagePath?.TrimStart('/');
        if (string.IsNullOrEmpty(key))
        {
            throw new VodApiException("ApplyUpload", "InvalidResponse", $"ApplyUpload returned no {field}.");
        }

        return key;
    }

    private enum FileRole
    {
        Media,
        Cover,
    }

    private sealed record UploadFile(FileRole Role, IPartSource Source);
}
