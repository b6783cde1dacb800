using System.Globalization;
using VodRaw.Api;
using VodRaw.Checkpoints;
using VodRaw.Cos;
using VodRaw.Diagnostics;
using VodRaw.Manifests;
using VodRaw.Transfer;

namespace VodRaw.Upload;

/// <summary>
/// One upload, phase by phase: plan (validate, expand a package, open files, refuse impossible plans) → apply (or
/// resume from a checkpoint) → transfer (every file to COS) → commit. A failure or cancellation reports what it
/// leaves behind, from the ledger; with a checkpoint store it pauses instead (UploadOperation.Resume.cs).
/// </summary>
internal sealed partial class UploadOperation
{
    private readonly UploadContext _context;
    private readonly IProgress<UploadProgress>? _progress;
    private readonly UploadLedger _ledger = new();
    private AdaptiveConcurrency? _adaptive; // set once the transfer starts; the COS targets tell it of throttling

    public UploadOperation(UploadContext context, IProgress<UploadProgress>? progress)
    {
        _context = context;
        _progress = progress;
    }

    private VodCredential? _credential;

    private VodUploadClientOptions Options => _context.Options;

    /// <summary>The credential this upload started with (its resume identity; COS when ApplyUpload hands out none).</summary>
    private VodCredential Credential => _credential ?? throw new InvalidOperationException("The credential is taken when the upload starts.");

    private async ValueTask TakeCredentialAsync(CancellationToken cancellationToken) =>
        _credential ??= await _context.Credentials.GetCredentialAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The credential provider returned no credential.");

    /// <summary>The upload, traced: one <c>VodRaw.Upload</c> activity (its requests are children), its duration, its log events.</summary>
    public async Task<VodUploadResponse> RunAsync(string region, VodUploadRequest request, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity(VodRawTelemetry.UploadActivityName, System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("vodraw.region", region);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var response = await RunCoreAsync(region, request, cancellationToken).ConfigureAwait(false);
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            Telemetry.UploadCompleted(activity, response, seconds);
            return response;
        }
        catch (Exception e)
        {
            Telemetry.UploadFailed(activity, e, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            throw;
        }
    }

    private async Task<VodUploadResponse> RunCoreAsync(string region, VodUploadRequest request, CancellationToken cancellationToken)
    {
        var upload = UploadRequestValidator.Validate(region, request, Options.Transfer);
        await TakeCredentialAsync(cancellationToken).ConfigureAwait(false);
        var segments = await DiscoverSegmentsAsync(upload, cancellationToken).ConfigureAwait(false);
        var files = OpenSources(upload, segments);
        CheckpointRecorder? recorder = null;
        CosStorage? storage = null;
        try
        {
            var tracker = Plan(files);
            Telemetry.UploadPlanned(upload.Region, files.Count, files.Sum(f => f.Length ?? 0), upload.MediaPath is null ? "-" : Path.GetFileName(upload.MediaPath));
            _ledger.SetFiles(files.Count);
            var store = upload.MediaStream is null ? Options.Checkpoints : null;
            var identity = store is null ? null : await ResumeIdentity.CreateAsync(Credential, upload, files.ConvertAll(f => f.Path), cancellationToken).ConfigureAwait(false);
            using var claim = identity is null ? null : Claim(store!, identity.Id);
            try
            {
                for (var round = 0; ; round++)
                {
                    var resumed = identity is not null && round == 0 ? await TryResumeAsync(store!, identity, upload, files.Count, cancellationToken).ConfigureAwait(false) : null;
                    if (resumed?.Committed is { } done)
                    {
                        tracker.AddResumed(done.BytesUploaded + done.BytesResumed);
                        tracker.SetPhase(UploadPhase.Completed);
                        return done;
                    }

                    ApplyUploadResult apply;
                    if (resumed is null)
                    {
                        tracker.SetPhase(UploadPhase.Applying);
                        apply = await _context.Api.ApplyUploadAsync(upload.Region, upload.ApplyBody, cancellationToken).ConfigureAwait(false);
                        storage = CreateStorage(apply, tracker.MeasuredBytesPerSecond);
                        if (identity is not null)
                        {
                            var roles = files.ConvertAll(f => (Role: f.Role.ToString().ToLowerInvariant(), f.RelativePath));
                            var document = identity.NewDocument(apply, roles, StorageKeys(upload, apply, files), Options.Transfer.PartSize, Options.TimeProvider.GetUtcNow());
                            recorder = new CheckpointRecorder(store!, document, Options.TimeProvider, PutBytesPerWrite(upload));
                            recorder.WriteNow();
                        }
                    }
                    else
                    {
                        apply = resumed.Apply;
                        recorder = resumed.Recorder;
                        storage = CreateStorage(apply, tracker.MeasuredBytesPerSecond);
                    }

                    tracker.SetPhase(UploadPhase.Uploading);
                    try
                    {
                        var (uploaded, skipped) = await TransferAsync(upload, apply, storage, files, tracker, recorder, resumed, cancellationToken).ConfigureAwait(false);
                        tracker.SetPhase(UploadPhase.Committing);
                        recorder?.CommitSending();
                        var response = await CommitAsync(upload, apply, uploaded, resumed?.Document.CommitSent == true, cancellationToken).ConfigureAwait(false) with
                        {
                            BytesResumed = skipped,
                        };
                        if (recorder is not null && store!.KeepCommitted)
                        {
                            // Recorded before returning: a crash from here on finds the result, not a session to commit again.
                            recorder.Committed(response);
                            response = response with { CheckpointId = recorder.Id };
                        }
                        else
                        {
                            recorder?.Delete();
                        }

                        recorder = null;
                        tracker.SetTotals(uploaded + skipped, files.Count);
                        tracker.SetPhase(UploadPhase.Completed);
                        return response;
                    }
                    catch (VodRawException e) when (resumed is not null && SessionGone(e, resumed))
                    {
                        // The interrupted session cannot be finished: abort what can be, forget it, upload afresh.
                        var bytes = CheckpointStore.Describe(resumed.Document).BytesDone;
                        await AbortRecordedAsync(resumed.Recorder, storage).ConfigureAwait(false);
                        resumed.Recorder.Delete();
                        recorder = null;
                        store!.Report(new CheckpointNotice(CheckpointNoticeKind.StartingFresh, resumed.Document.Id,
                            $"the interrupted upload cannot be finished ({e.Code}); starting a fresh upload: {bytes.ToString(CultureInfo.InvariantCulture)} bytes already sent go up again.") { Bytes = bytes });
                        tracker = Plan(files);
                    }
                }
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested && e is not UploadCanceledException)
            {
                if (recorder is not null)
                {
                    recorder.Flush();
                    throw new UploadCanceledException(UploadInterruption.Paused, _ledger.OpenUploads, e.InnerException ?? e, cancellationToken) { CheckpointId = recorder.Id };
                }

                throw new UploadCanceledException(_ledger.Outcome(), _ledger.OpenUploads, e.InnerException ?? e, cancellationToken);
            }
            catch (FileChangedException) when (recorder is not null)
            {
                // The changed file's upload was aborted; the other files' parts are worthless without it.
                await AbortRecordedAsync(recorder, storage).ConfigureAwait(false);
                recorder.Delete();
                throw;
            }
            catch (VodRawException e) when (recorder is not null)
            {
                recorder.Flush();
                e.CheckpointId = recorder.Id;
                throw;
            }
            catch (VodRawException e) when (_ledger.OpenUploads is { } open && open.Count > e.OpenUploads.Count)
            {
                // Sibling files stopped by this failure may have failed to abort too: name every upload left open.
                e.OpenUploads = open;
                throw;
            }
        }
        finally
        {
            foreach (var f in files)
            {
                f.Source?.Dispose();
            }
        }
    }

    /// <summary>Whole-object PUTs stored between checkpoint writes at most: the upload's memory budget.</summary>
    private long PutBytesPerWrite(ValidatedUpload upload) => upload.PlannedConcurrency * Options.Transfer.PartSize;

    /// <summary>Refuses impossible plans before anything is sent, and sets up progress over every file.</summary>
    private ProgressTracker Plan(List<UploadFile> files)
    {
        long total = 0;
        foreach (var f in files)
        {
            if (f.Length is { } length)
            {
                PartPlan.Create(length, Options.Transfer.PartSize).EnsureBufferable();
            }

            total = f.Length is { } l && total >= 0 ? total + l : -1;
        }

        var tracker = new ProgressTracker(_progress, Options.TimeProvider, Options.ProgressInterval);
        tracker.SetTotals(total, files.Count);
        return tracker;
    }

    private async Task<(long Uploaded, long Skipped)> TransferAsync(
        ValidatedUpload upload, ApplyUploadResult apply, CosStorage storage, List<UploadFile> files, ProgressTracker tracker, CheckpointRecorder? recorder, ResumedUpload? resumed, CancellationToken cancellationToken)
    {
        var keys = StorageKeys(upload, apply, files);
        var partSize = resumed?.Document.PartSize ?? Options.Transfer.PartSize;
        var streamParts = !Options.Transfer.SendContentMd5;
        // Parts of one plan share one array size class, so the pool reuses arrays between parts and uploads.
        using var inFlight = PartsInFlight.Create(upload.Concurrency, partSize, streamParts && upload.MediaStream is null, _context.Budget, _context.BufferPoolFactory, Options.TimeProvider);
        var ceiling = inFlight.Ceiling;
        _adaptive = inFlight.Adaptive;
        var uploader = new ObjectUploader(inFlight.Pool, tracker, _ledger, Options.AbortTimeout, keepOnInterrupt: recorder is not null, streamParts, inFlight.Adaptive);
        long uploaded = 0;
        long skipped = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), new ParallelOptions { MaxDegreeOfParallelism = ceiling, CancellationToken = cancellationToken }, async (index, ct) =>
        {
            var file = files[index];
            Telemetry.FileRole.Value = file.Role switch { FileRole.Media => "media", FileRole.Cover => "cover", _ => "segment" };
            var record = resumed?.Document.Files[index];
            if (record is { Complete: true })
            {
                tracker.AddResumed(record.Fingerprint.Size);
                Interlocked.Add(ref skipped, record.Fingerprint.Size);
                tracker.FileCompleted();
                return;
            }

            var target = storage.Target(_context.Sender, keys[index]);
            // Segments are opened only when their turn comes, so a package of thousands of files holds few handles.
            using var opened = file.Source is null ? new FilePartSource(file.Path) : null;
            var source = file.Source ?? opened!;
            MultipartState? state = null;
            if (record is not null)
            {
                var (kept, keptBytes, stored) = await ReconcileAsync(record, source, target, partSize, recorder!, index, ct).ConfigureAwait(false);
                if (keptBytes > 0)
                {
                    tracker.AddResumed(keptBytes);
                    Interlocked.Add(ref skipped, keptBytes);
                }

                if (stored)
                {
                    recorder!.FileCompleted(index, 0);
                    tracker.FileCompleted();
                    return;
                }

                state = kept;
            }

            var bytes = await uploader.UploadAsync(source, target, partSize, ceiling, ct, recorder?.For(index), state).ConfigureAwait(false);
            Interlocked.Add(ref uploaded, bytes);
            tracker.FileCompleted();
        }).ConfigureAwait(false);

        Telemetry.PartsInFlightSettled(inFlight.Pool.Gate.Limit, inFlight.Adaptive?.History);
        if (_ledger.OpenUploads is { Count: > 0 } stray)
        {
            // Everything is stored, but a lost Initiate reply left an upload that could not be aborted: say so, do not commit blind.
            throw new CosException("InitiateMultipartUpload", "StrayMultipartUpload", "Every file was stored, but a multipart upload created by a lost InitiateMultipartUpload reply could not be aborted; nothing was committed.")
            {
                OpenUploads = stray,
            };
        }

        return (uploaded, skipped);
    }

    private async Task<VodUploadResponse> CommitAsync(ValidatedUpload upload, ApplyUploadResult apply, long uploaded, bool sentBefore, CancellationToken cancellationToken)
    {
        _ledger.CommitSent();
        CommitUploadResult commit;
        try
        {
            commit = await _context.Api.CommitUploadAsync(upload.Region, new CommitUploadBody { VodSessionKey = apply.VodSessionKey!, SubAppId = upload.SubAppId }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (VodApiException e) when (sentBefore && e.Code == "InvalidParameterValue.VodSessionKey")
        {
            throw new VodApiException("CommitUpload", e.Code,
                "CommitUpload was sent before the interruption and the session is no longer accepted: the media may already be in the library, but its FileId is unknown; look it up in VOD before uploading again.", e)
            {
                RequestId = e.RequestId,
                Status = e.Status,
                Attempts = e.Attempts,
            };
        }

        if (string.IsNullOrEmpty(commit.FileId))
        {
            throw new VodApiException("CommitUpload", VodRawErrorCodes.InvalidResponse, "CommitUpload returned no FileId.") { RequestId = commit.RequestId };
        }

        return new VodUploadResponse(commit.FileId, commit.MediaUrl ?? string.Empty, string.IsNullOrEmpty(commit.CoverUrl) ? null : commit.CoverUrl, commit.RequestId ?? string.Empty)
        {
            BytesUploaded = uploaded,
        };
    }

    /// <summary>The upload worked out locally: validated, the package expanded by the local parser, sizes read, impossible plans refused.</summary>
    public async Task<UploadPlan> PlanAsync(string region, VodUploadRequest request, CancellationToken cancellationToken)
    {
        var upload = UploadRequestValidator.Validate(region, request, Options.Transfer);
        var type = ManifestType(upload);
        var segments = type is null ? [] : await ManifestCollector.Local.CollectAsync(upload.MediaPath!, type, cancellationToken).ConfigureAwait(false);
        var files = new List<PlannedFile>(2 + segments.Count);
        if (upload.MediaPath is not null)
        {
            files.Add(new PlannedFile(PlannedFileRole.Media, upload.MediaPath, null, new FileInfo(upload.MediaPath).Length));
        }
        else
        {
            var stream = upload.MediaStream!;
            files.Add(new PlannedFile(PlannedFileRole.Media, "-", null, stream.CanSeek ? stream.Length - stream.Position : null));
        }

        if (upload.CoverPath is not null)
        {
            files.Add(new PlannedFile(PlannedFileRole.Cover, upload.CoverPath, null, new FileInfo(upload.CoverPath).Length));
        }

        foreach (var segment in segments)
        {
            files.Add(new PlannedFile(PlannedFileRole.Segment, segment.FullPath, segment.RelativePath, new FileInfo(segment.FullPath).Length));
        }

        foreach (var f in files)
        {
            if (f.Length is { } length)
            {
                PartPlan.Create(length, Options.Transfer.PartSize).EnsureBufferable();
            }
        }

        return new UploadPlan(files);
    }

    private static string? ManifestType(ValidatedUpload upload) => upload.MediaPath is null ? null : upload.MediaType.ToLowerInvariant() switch
    {
        "m3u8" => "m3u8",
        "mpd" => "mpd",
        _ => null,
    };

    /// <summary>For an HLS/DASH manifest, every file it references (recursively), checked before anything is uploaded.</summary>
    private async Task<IReadOnlyList<ManifestFile>> DiscoverSegmentsAsync(ValidatedUpload upload, CancellationToken cancellationToken)
    {
        var type = ManifestType(upload);
        if (type is null)
        {
            return [];
        }

        // The local parser always runs first: a package that breaks the rules fails before any request.
        var local = await ManifestCollector.Local.CollectAsync(upload.MediaPath!, type, cancellationToken).ConfigureAwait(false);
        if (Options.ManifestDiscovery == ManifestDiscovery.Local)
        {
            return local;
        }

        var service = new ManifestCollector(async (content, manifestType, ct) =>
        {
            var body = new ParseStreamingManifestBody { MediaManifestContent = ManifestText(content), ManifestType = manifestType };
            return (await _context.Api.ParseStreamingManifestAsync(upload.Region, body, ct).ConfigureAwait(false)).MediaSegmentSet ?? [];
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
            files.Add(new UploadFile(FileRole.Media, media, media.Length, upload.MediaPath ?? "-"));
            if (upload.CoverPath is not null)
            {
                var cover = new FilePartSource(upload.CoverPath);
                files.Add(new UploadFile(FileRole.Cover, cover, cover.Length, upload.CoverPath));
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

    /// <summary>Where the session's objects go, with the credential to sign for them and the expiry guard.</summary>
    private CosStorage CreateStorage(ApplyUploadResult apply, Func<double?> measuredRate)
    {
        if (string.IsNullOrEmpty(apply.StorageBucket) || string.IsNullOrEmpty(apply.StorageRegion) || string.IsNullOrEmpty(apply.VodSessionKey))
        {
            throw new VodApiException("ApplyUpload", VodRawErrorCodes.InvalidResponse, "ApplyUpload returned no storage bucket, region or session key.") { RequestId = apply.RequestId };
        }

        var endpoint = CosEndpoint.Resolve(Options.CosEndpointTemplate, apply.StorageBucket, apply.StorageRegion);
        var temp = apply.TempCertificate;
        var credential = temp is { SecretId.Length: > 0, SecretKey.Length: > 0 }
            ? new CosCredential(temp.SecretId, temp.SecretKey, string.IsNullOrEmpty(temp.Token) ? null : temp.Token,
                temp.ExpiredTime > 0 ? DateTimeOffset.FromUnixTimeSeconds(temp.ExpiredTime) : null)
            : new CosCredential(Credential.SecretId, Credential.SecretKey, Credential.Token, null);
        var guard = new CredentialExpiryGuard(credential.ExpiresAt, Options.CredentialExpiryMargin, measuredRate);
        var requests = new CosRequestFactory(endpoint, credential, guard, Options.TimeProvider);
        var targetOptions = new CosTargetOptions(Options.InactivityTimeout, Options.CompleteTimeout, Options.AbortTimeout, Options.Transfer.SendContentMd5, _context.RateLimiter,
            Throttled: () => _adaptive?.Throttled());
        return new CosStorage(apply.StorageBucket, requests, targetOptions);
    }

    /// <summary>
    /// The COS key of every file. Segments keep their place relative to the manifest, under the media's directory
    /// (the service may rename the manifest itself): dirname(MediaStoragePath) + "/" + path relative to the manifest's directory.
    /// </summary>
    private static List<string> StorageKeys(ValidatedUpload upload, ApplyUploadResult apply, List<UploadFile> files)
    {
        var mediaKey = StorageKey(apply.MediaStoragePath, "MediaStoragePath");
        var coverKey = upload.CoverPath is null ? null : StorageKey(apply.CoverStoragePath, "CoverStoragePath");
        var mediaDirectory = mediaKey.LastIndexOf('/') is var slash and >= 0 ? mediaKey[..(slash + 1)] : string.Empty;
        return files.ConvertAll(file => file.Role switch
        {
            FileRole.Media => mediaKey,
            FileRole.Cover => coverKey!,
            _ => mediaDirectory + file.RelativePath,
        });
    }

    private static string StorageKey(string? storagePath, string field)
    {
        var key = storagePath?.TrimStart('/');
        if (string.IsNullOrEmpty(key))
        {
            throw new VodApiException("ApplyUpload", VodRawErrorCodes.InvalidResponse, $"ApplyUpload returned no {field}.");
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
    private sealed record UploadFile(FileRole Role, IPartSource? Source, long? Length, string Path, string RelativePath = "");
}
