using System.Buffers;
using VodRaw.Api;
using VodRaw.Cos;
using VodRaw.Http;
using VodRaw.Manifests;
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
        var segments = await DiscoverSegmentsAsync(upload, cancellationToken).ConfigureAwait(false);
        var files = OpenSources(upload, segments);
        try
        {
            // Refuse impossible plans before anything is sent.
            foreach (var f in files)
            {
                if (f.Length is { } length)
                {
                    PartPlan.Create(length, _options.Transfer.PartSize).EnsureBufferable();
                }
            }

            var tracker = new ProgressTracker(progress, _options.TimeProvider, _options.ProgressInterval);
            long total = 0;
            foreach (var f in files)
            {
                total = f.Length is { } l && total >= 0 ? total + l : -1;
            }

            tracker.SetTotals(total, files.Count);
            tracker.SetPhase(UploadPhase.Applying);

            var apply = await _api.ApplyUploadAsync(upload.Region, upload.ApplyBody, cancellationToken).ConfigureAwait(false);
            var (endpoint, credential) = ResolveStorage(apply);
            var mediaKey = StorageKey(apply.MediaStoragePath, "MediaStoragePath");
            var coverKey = upload.CoverPath is null ? null : StorageKey(apply.CoverStoragePath, "CoverStoragePath");
            // Segments keep their place relative to the manifest, under the media's directory (the service may rename
            // the manifest itself): dirname(MediaStoragePath) + "/" + path relative to the manifest's directory.
            var mediaDirectory = mediaKey.LastIndexOf('/') is var slash and >= 0 ? mediaKey[..(slash + 1)] : string.Empty;

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
                var key = file.Role switch
                {
                    FileRole.Media => mediaKey,
                    FileRole.Cover => coverKey!,
                    _ => mediaDirectory + file.RelativePath,
                };
                var target = new CosObjectTarget(_sender, endpoint, credential, key, targetOptions);
                // Segments are opened only when their turn comes, so a package of thousands of files holds few handles.
                using var opened = file.Source is null ? new FilePartSource(file.Path!) : null;
                var bytes = await uploader.UploadAsync(file.Source ?? opened!, target, partSize, upload.Concurrency, ct).ConfigureAwait(false);
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
                f.Source?.Dispose();
            }
        }
    }

    /// <summary>Releases the HTTP handler VodRaw created (a caller's handler is left alone).</summary>
    public void Dispose() => _sender.Dispose();

    /// <summary>For an HLS/DASH manifest, every file it references (recursively), checked before anything is uploaded.</summary>
    private async Task<IReadOnlyList<ManifestFile>> DiscoverSegmentsAsync(ValidatedUpload upload, CancellationToken cancellationToken)
    {
        var type = upload.MediaPath is null ? null : upload.MediaType.ToLowerInvariant() switch
        {
            "m3u8" => "m3u8",
            "mpd" => "mpd",
            _ => null,
        };
        if (type is null)
        {
            return [];
        }

        // The local parser always runs first: a package that breaks the rules fails before any request.
        var local = await ManifestCollector.Local.CollectAsync(upload.MediaPath!, type, cancellationToken).ConfigureAwait(false);
        if (_options.ManifestDiscovery == ManifestDiscovery.Local)
        {
            return local;
        }

        var service = new ManifestCollector(async (content, manifestType, ct) =>
        {
            var body = new ParseStreamingManifestBody { MediaManifestContent = ManifestText(content), ManifestType = manifestType };
            return (await _api.ParseStreamingManifestAsync(upload.Region, body, ct).ConfigureAwait(false)).MediaSegmentSet ?? [];
        });
        return await service.CollectAsync(upload.MediaPath!, type, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The manifest as the API takes it: UTF-8 text without a byte-order mark.</summary>
    private static string ManifestText(byte[] content) =>
        System.Text.Encoding.UTF8.GetString(content.AsSpan(content.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0));

    private static List<UploadFile> OpenSources(ValidatedUpload upload, IReadOnlyList<ManifestFile> segments)
    {
        var files = new List<UploadFile>(2 + segments.Count);
        try
        {
            IPartSource media = upload.MediaPath is not null
                ? new FilePartSource(upload.MediaPath)
                : new StreamPartSource(upload.MediaStream!, upload.MediaStream!.CanSeek ? upload.MediaStream.Length - upload.MediaStream.Position : null);
            files.Add(new UploadFile(FileRole.Media, media, media.Length));
            if (upload.CoverPath is not null)
            {
                var cover = new FilePartSource(upload.CoverPath);
                files.Add(new UploadFile(FileRole.Cover, cover, cover.Length));
            }

            foreach (var segment in segments)
            {
                files.Add(new UploadFile(FileRole.Segment, null, new FileInfo(segment.FullPath).Length, segment.FullPath, segment.RelativePath));
            }

            return files;
        }
        catch
        {
            foreach (var f in files)
            {
                f.Source?.Dispose();
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
        Segment,
    }

    /// <summary>One file of the upload: an open source (media, cover) or a path opened when its turn comes (segments).</summary>
    private sealed record UploadFile(FileRole Role, IPartSource? Source, long? Length, string? Path = null, string RelativePath = "");
}
