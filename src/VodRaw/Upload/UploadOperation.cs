using System.Globalization;
using VodRaw.Api;
using VodRaw.Checkpoints;
using VodRaw.Cos;
using VodRaw.Diagnostics;
using VodRaw.Http;
using VodRaw.Manifests;
using VodRaw.Sources;
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
        var files = await OpenFilesAsync(upload, cancellationToken).ConfigureAwait(false);
        IUploadSession? session = null;
        var leftOpen = new List<OpenMultipartUpload>(); // other uploads' cleanup that failed: reported beside the result
        try
        {
            var tracker = Plan(files);
            Telemetry.UploadPlanned(upload.Region, files.Count, files.Sum(f => f.Length ?? 0), files.TrueForAll(f => f.Length is not null),
                upload.MediaPath is not null ? Path.GetFileName(upload.MediaPath) : upload.MediaUrl?.FileName ?? "(stream)");
            _ledger.SetFiles(files.Count);
            // A source read in order (a stream, an origin without ranges) cannot be fingerprinted or read again, and an
            // origin without an ETag or Last-Modified cannot say whether a resumed part is still its: no checkpoint.
            var store = files.TrueForAll(f => f.Source is not ({ IsSequential: true } or UrlPartSource { Origin: { ETag: null, LastModified: null } })) ? Options.Checkpoints : null;
            var identity = store is null ? null : await ResumeIdentity.CreateAsync(Credential, upload, files, ServiceOf(), cancellationToken).ConfigureAwait(false);
            using var claim = identity is null ? null : Claim(store!, identity.Id);
            var inputs = identity is null ? null : new ResumedSession.Inputs(store!, identity, files, apply => CreateStorage(apply, tracker.MeasuredBytesPerSecond), _context.Sender, Options,
                PutBytesPerWrite(upload), leftOpen);
            string? previousFileId = null;
            try
            {
                for (var round = 0; ; round++)
                {
                    session = null;
                    if (inputs is not null && round == 0)
                    {
                        var opening = await ResumedSession.TryOpenAsync(inputs, cancellationToken).ConfigureAwait(false);
                        if (opening.Committed is { } done)
                        {
                            tracker.AddResumed(done.BytesUploaded + done.BytesResumed);
                            tracker.SetPhase(UploadPhase.Completed);
                            return done;
                        }

                        session = opening.Session;
                    }

                    session ??= await OpenFreshAsync(upload, files, identity, store, tracker, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        var response = await TransferAndCommitAsync(upload, session, files, tracker, cancellationToken).ConfigureAwait(false);
                        if (round == 0 && session is ResumedSession { ChangedPath: not null } superseded)
                        {
                            // A commit in flight was settled for the content from before a change: now the file as it is.
                            await superseded.SupersededAsync(response).ConfigureAwait(false);
                            previousFileId = response.FileId;
                            tracker = Plan(files);
                            continue;
                        }

                        var open = Others(leftOpen);
                        return response with { OpenUploads = open.Count == 0 ? response.OpenUploads : open, PreviousFileId = previousFileId };
                    }
                    catch (VodRawException e) when (round == 0 && session is ResumedSession resumed && resumed.AfterFailure(e) is { Action: RecoveryAction.StartFresh } decision)
                    {
                        // The interrupted session cannot be finished: abandon it (cleanup never blocks this upload) and upload afresh.
                        await resumed.AbandonAsync(inputs!, RecoveryDecision.Describe(decision, e.Code), tryAbort: e is not CredentialExpiredException).ConfigureAwait(false);
                        tracker = Plan(files);
                    }
                }
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested && e is not UploadCanceledException)
            {
                // Cancelled while a checkpoint was being reconciled: that session is paused as it stands.
                throw await CanceledAsync(session ?? inputs?.Opening, upload, Others(leftOpen), e, cancellationToken).ConfigureAwait(false);
            }
            catch (FileChangedException) when (session is { Journal.Resumable: true })
            {
                // The changed file's upload was aborted; the other files' parts are worthless without it.
                await AbortRecordedAsync(session).ConfigureAwait(false);
                await session.Journal.DeleteAsync().ConfigureAwait(false);
                throw;
            }
            catch (VodRawException e)
            {
                // The failure, complete: the checkpoint that keeps it resumable and every upload left open.
                var checkpointId = session?.Journal.CheckpointId;
                if (checkpointId is not null)
                {
                    await session!.Journal.FlushAsync().ConfigureAwait(false);
                }

                var complete = e.With(checkpointId ?? e.CheckpointId, WithOpen(e, Others(leftOpen)));
                if (ReferenceEquals(complete, e))
                {
                    throw;
                }

                throw complete;
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

    /// <summary>Every multipart upload left open so far: this upload's (a failed abort, a lost Initiate reply) and other sessions' cleanup.</summary>
    private List<OpenMultipartUpload> Others(List<OpenMultipartUpload> leftOpen)
    {
        var all = new List<OpenMultipartUpload>(_ledger.OpenUploads);
        lock (leftOpen)
        {
            foreach (var u in leftOpen)
            {
                if (!all.Contains(u))
                {
                    all.Add(u);
                }
            }
        }

        return all;
    }

    /// <summary>The uploads a failure names, and those left open that it does not name yet.</summary>
    private static IReadOnlyList<OpenMultipartUpload> WithOpen(VodRawException e, List<OpenMultipartUpload> open)
    {
        var missing = open.Where(u => !e.OpenUploads.Contains(u)).ToList();
        return missing.Count == 0 ? e.OpenUploads : [.. e.OpenUploads, .. missing];
    }

    /// <summary>Opens a fresh session: ApplyUpload, then (with a checkpoint store) its checkpoint, written before any byte goes to COS.</summary>
    private async Task<IUploadSession> OpenFreshAsync(ValidatedUpload upload, List<UploadFile> files, ResumeIdentity? identity, CheckpointStore? store, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        tracker.SetPhase(UploadPhase.Applying);
        var apply = await _context.Api.ApplyUploadAsync(upload.Region, upload.ApplyBody, cancellationToken).ConfigureAwait(false);
        var storage = CreateStorage(apply, tracker.MeasuredBytesPerSecond);
        var keys = StorageKeys(upload, apply, files);
        IUploadJournal journal = NullJournal.Instance;
        if (identity is not null)
        {
            var roles = files.ConvertAll(f => (Role: f.Role.ToString().ToLowerInvariant(), f.RelativePath));
            var document = identity.NewDocument(apply, roles, keys, Options.Transfer.PartSize, Options.TimeProvider.GetUtcNow());
            var recorder = new CheckpointRecorder(store!, document, Options.TimeProvider, PutBytesPerWrite(upload));
            await recorder.WriteNowAsync().ConfigureAwait(false);
            journal = recorder;
        }

        return new FreshSession(apply, storage, keys, journal, Options.Transfer.PartSize);
    }

    /// <summary>The service a checkpoint belongs to: the VOD endpoint and the COS endpoint template, normalised.</summary>
    private string ServiceOf() =>
        ServiceEndpoint.Normalize(Options.VodEndpoint) + " " + ServiceEndpoint.NormalizeTemplate(Options.CosEndpointTemplate);

    /// <summary>The same code for a fresh and a resumed session: every file to COS (where the session says it starts), then CommitUpload.</summary>
    private async Task<VodUploadResponse> TransferAndCommitAsync(ValidatedUpload upload, IUploadSession session, List<UploadFile> files, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        long uploaded = 0, skipped = 0;
        if (!session.CommitSentBefore)
        {
            tracker.SetPhase(UploadPhase.Uploading);
            (uploaded, skipped) = await TransferAsync(upload, session, files, tracker, cancellationToken).ConfigureAwait(false);
        }

        tracker.SetPhase(UploadPhase.Committing);
        var response = await CommitAsync(upload, session, uploaded, cancellationToken).ConfigureAwait(false) with { BytesResumed = skipped };
        // Recorded before returning: a crash from here on finds the result, not a session to commit again.
        if (await session.Journal.CommittedAsync(response).ConfigureAwait(false))
        {
            response = response with { CheckpointId = session.Journal.CheckpointId };
        }

        tracker.SetTotals(uploaded + skipped, files.Count);
        tracker.SetPhase(UploadPhase.Completed);
        return response;
    }

    /// <summary>What a cancellation leaves behind, said once: a commit in flight, a pause with what is kept, or the ledger's outcome.</summary>
    private async Task<UploadCanceledException> CanceledAsync(IUploadSession? session, ValidatedUpload upload, IReadOnlyList<OpenMultipartUpload> open, OperationCanceledException e, CancellationToken cancellationToken)
    {
        var journal = session?.Journal ?? NullJournal.Instance;
        if (journal.Resumable)
        {
            await journal.FlushAsync().ConfigureAwait(false);
        }

        var outcome = _ledger.Outcome();
        if (outcome != UploadInterruption.CommitMayHaveApplied && journal.Resumable)
        {
            outcome = UploadInterruption.Paused;
        }

        return new UploadCanceledException(outcome, open, e.InnerException ?? e, cancellationToken)
        {
            CheckpointId = journal.CheckpointId,
            BytesKept = journal.BytesConfirmed,
            MediaStoragePath = outcome == UploadInterruption.CommitMayHaveApplied ? session?.Apply.MediaStoragePath : null,
            SessionContext = outcome == UploadInterruption.CommitMayHaveApplied ? upload.ApplyBody.SessionContext : null,
        };
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

    private async Task<(long Uploaded, long Skipped)> TransferAsync(ValidatedUpload upload, IUploadSession session, List<UploadFile> files, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        var partSize = session.PartSize;
        var journal = session.Journal;
        var streamParts = !Options.Transfer.SendContentMd5;
        // Parts of one plan share one array size class, so the pool reuses arrays between parts and uploads.
        using var inFlight = PartsInFlight.Create(upload.Concurrency, partSize, streamParts && files.TrueForAll(f => f.Source?.ReadsWhileSending ?? true), _context.Budget, _context.BufferPoolFactory, Options.TimeProvider);
        var ceiling = inFlight.Ceiling;
        _adaptive = inFlight.Adaptive;
        var uploader = new ObjectUploader(inFlight.Pool, tracker, _ledger, Options.AbortTimeout, keepOnInterrupt: journal.Resumable, streamParts, inFlight.Adaptive);
        long uploaded = 0;
        long skipped = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), new ParallelOptions { MaxDegreeOfParallelism = ceiling, CancellationToken = cancellationToken }, async (index, ct) =>
        {
            var file = files[index];
            Telemetry.FileRole.Value = file.Role switch { FileRole.Media => "media", FileRole.Cover => "cover", _ => "segment" };
            var start = session.StartOf(index);
            if (start.KeptBytes > 0)
            {
                tracker.AddResumed(start.KeptBytes);
                Interlocked.Add(ref skipped, start.KeptBytes);
            }

            if (start.Stored)
            {
                tracker.FileCompleted();
                return;
            }

            var target = session.Storage.Target(_context.Sender, session.Keys[index]);
            // Segments are opened only when their turn comes, so a package of thousands of files holds few handles.
            using var opened = file.Source is null ? new FilePartSource(file.Path) : null;
            var source = file.Source ?? opened!;
            var bytes = await uploader.UploadAsync(source, target, partSize, ceiling, ct, journal.For(index), start.Continue).ConfigureAwait(false);
            Interlocked.Add(ref uploaded, bytes);
            tracker.FileCompleted();
        }).ConfigureAwait(false);

        Telemetry.PartsInFlightSettled(inFlight.Pool.Gate.Limit, inFlight.Adaptive?.History);
        return (uploaded, skipped);
    }

    /// <summary>
    /// CommitUpload, recorded as in flight first. A commit whose outcome cannot be known — its reply lost on every
    /// attempt, or refused after an earlier attempt (or an earlier run) may have applied it — is its own failure
    /// (<see cref="CommitOutcomeUnknownException"/>): it never says the upload can simply be repeated.
    /// </summary>
    private async Task<VodUploadResponse> CommitAsync(ValidatedUpload upload, IUploadSession session, long uploaded, CancellationToken cancellationToken)
    {
        await session.Journal.CommitSendingAsync(cancellationToken).ConfigureAwait(false);
        _ledger.CommitSent();
        var replyLost = false;
        CommitUploadResult commit;
        try
        {
            commit = await _context.Api.CommitUploadAsync(upload.Region, new CommitUploadBody { VodSessionKey = session.Apply.VodSessionKey!, SubAppId = upload.SubAppId },
                () => replyLost = true, cancellationToken).ConfigureAwait(false);
        }
        catch (VodRawException e) when (replyLost || session.CommitSentBefore)
        {
            throw new CommitOutcomeUnknownException(session.Apply.MediaStoragePath, upload.ApplyBody.SessionContext,
                session.CommitSentBefore ? "an earlier run sent CommitUpload and got no reply" : "CommitUpload's reply was lost", e)
            {
                RequestId = e.RequestId,
                Status = e.Status,
                Attempts = e.Attempts,
                CheckpointId = session.Journal.CheckpointId,
            };
        }
        catch (VodRawException)
        {
            // Refused on the first attempt, no reply lost: not applied; the commit is no longer in flight.
            _ledger.CommitAnswered();
            await session.Journal.CommitRefusedAsync().ConfigureAwait(false);
            throw;
        }

        _ledger.CommitAnswered();

        if (string.IsNullOrEmpty(commit.FileId))
        {
            throw new VodApiException("CommitUpload", VodRawErrorCodes.InvalidResponse, "CommitUpload returned no FileId.") { RequestId = commit.RequestId };
        }

        return new VodUploadResponse(commit.FileId, commit.MediaUrl ?? string.Empty, string.IsNullOrEmpty(commit.CoverUrl) ? null : commit.CoverUrl, commit.RequestId ?? string.Empty)
        {
            BytesUploaded = uploaded,
        };
    }

    /// <summary>
    /// The upload worked out without a VOD or COS request: validated, the package expanded by the local parser, sizes
    /// read (a URL's origin is asked: one ranged GET per URL, the manifests read whole), impossible plans refused.
    /// </summary>
    public async Task<UploadPlan> PlanAsync(string region, VodUploadRequest request, CancellationToken cancellationToken)
    {
        var upload = UploadRequestValidator.Validate(region, request, Options.Transfer);
        var type = ManifestType(upload);
        var origins = Origins();
        var segments = type is null || upload.MediaPath is null ? [] : await ManifestCollector.Local.CollectAsync(upload.MediaPath, type, cancellationToken).ConfigureAwait(false);
        var urlSegments = type is null || upload.MediaUrl is null ? []
            : await new UrlManifestCollector(origins, (content, t, _) => ValueTask.FromResult(LocalManifestParser.Parse(content, t))).CollectAsync(upload.MediaUrl, type, cancellationToken).ConfigureAwait(false);
        var files = new List<PlannedFile>(2 + segments.Count + urlSegments.Count);
        if (upload.MediaPath is not null)
        {
            files.Add(new PlannedFile(PlannedFileRole.Media, upload.MediaPath, null, new FileInfo(upload.MediaPath).Length));
        }
        else if (upload.MediaUrl is { } mediaUrl)
        {
            files.Add(new PlannedFile(PlannedFileRole.Media, mediaUrl.Display, null, (await origins.ProbeAsync(mediaUrl, cancellationToken).ConfigureAwait(false)).Length));
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
        else if (upload.CoverUrl is { } coverUrl)
        {
            files.Add(new PlannedFile(PlannedFileRole.Cover, coverUrl.Display, null, (await origins.ProbeAsync(coverUrl, cancellationToken).ConfigureAwait(false)).Length));
        }
        else if (upload.CoverStream is { } coverStream)
        {
            files.Add(new PlannedFile(PlannedFileRole.Cover, "-", null, coverStream.CanSeek ? coverStream.Length - coverStream.Position : null));
        }

        foreach (var segment in segments)
        {
            files.Add(new PlannedFile(PlannedFileRole.Segment, segment.FullPath, segment.RelativePath, new FileInfo(segment.FullPath).Length));
        }

        var lengths = new long?[urlSegments.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, urlSegments.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
            lengths[i] = (await origins.ProbeAsync(urlSegments[i].Url, ct).ConfigureAwait(false)).Length).ConfigureAwait(false);
        for (var i = 0; i < urlSegments.Count; i++)
        {
            files.Add(new PlannedFile(PlannedFileRole.Segment, urlSegments[i].Url.Display, urlSegments[i].RelativePath, lengths[i]));
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

    private static string? ManifestType(ValidatedUpload upload) => upload.MediaPath is null && upload.MediaUrl is null ? null : upload.MediaType.ToLowerInvariant() switch
    {
        "m3u8" => "m3u8",
        "mpd" => "mpd",
        _ => null,
    };

    /// <summary>For an HLS/DASH manifest, every file it references (recursively), checked before anything is uploaded.</summary>
    private async Task<IReadOnlyList<ManifestFile>> DiscoverSegmentsAsync(ValidatedUpload upload, CancellationToken cancellationToken)
    {
        var type = ManifestType(upload);
        if (type is null || upload.MediaPath is null)
        {
            return [];
        }

        // The local parser always runs first: a package that breaks the rules fails before any request.
        var local = await ManifestCollector.Local.CollectAsync(upload.MediaPath!, type, cancellationToken).ConfigureAwait(false);
        if (Options.ManifestDiscovery == ManifestDiscovery.Local)
        {
            return local;
        }

        var service = new ManifestCollector(ServiceDiscovery(upload));
        return await service.CollectAsync(upload.MediaPath!, type, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Discovery by VOD's ParseStreamingManifest, as the reference SDK does.</summary>
    private Func<byte[], string, CancellationToken, ValueTask<IReadOnlyList<string>>> ServiceDiscovery(ValidatedUpload upload) => async (content, manifestType, ct) =>
    {
        var body = new ParseStreamingManifestBody { MediaManifestContent = ManifestText(content), ManifestType = manifestType };
        return (await _context.Api.ParseStreamingManifestAsync(upload.Region, body, ct).ConfigureAwait(false)).MediaSegmentSet ?? [];
    };

    /// <summary>
    /// For an HLS/DASH manifest at a URL, every file it references: the local parser's rule first (a package that
    /// breaks it fails before any VOD request), then the service's discovery when the options ask for it.
    /// </summary>
    private async Task<IReadOnlyList<UrlManifestFile>> DiscoverUrlSegmentsAsync(ValidatedUpload upload, OriginClient origins, CancellationToken cancellationToken)
    {
        if (ManifestType(upload) is not { } type || upload.MediaUrl is not { } url)
        {
            return [];
        }

        var local = await new UrlManifestCollector(origins, (content, t, _) => ValueTask.FromResult(LocalManifestParser.Parse(content, t))).CollectAsync(url, type, cancellationToken).ConfigureAwait(false);
        return Options.ManifestDiscovery == ManifestDiscovery.Local
            ? local
            : await new UrlManifestCollector(origins, ServiceDiscovery(upload)).CollectAsync(url, type, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The origin reader of this client's sender, with the origin's own attempt and redirect budgets.</summary>
    private OriginClient Origins() => new(_context.Sender, Options.InactivityTimeout, Options.OriginMaxAttempts, Options.OriginMaxRedirects);

    /// <summary>A URL source: probed, then read by ranges in parallel when the origin allows, else in order.</summary>
    private async Task<IPartSource> OpenUrlAsync(SourceUrl url, OriginClient origins, CancellationToken cancellationToken)
    {
        var origin = await origins.ProbeAsync(url, cancellationToken).ConfigureAwait(false);
        return origin.Positional
            ? new UrlPartSource(origins, origin, Options.TimeProvider, Options.InactivityTimeout, Options.OriginMaxAttempts)
            : new UrlStreamSource(origins, origin, Options.TimeProvider, Options.InactivityTimeout);
    }

    /// <summary>Every file of the upload, opened (URLs probed), after its package's references were checked.</summary>
    private async Task<List<UploadFile>> OpenFilesAsync(ValidatedUpload upload, CancellationToken cancellationToken)
    {
        var origins = Origins();
        var segments = await DiscoverSegmentsAsync(upload, cancellationToken).ConfigureAwait(false);
        var urlSegments = await DiscoverUrlSegmentsAsync(upload, origins, cancellationToken).ConfigureAwait(false);
        var files = OpenSources(upload, segments);
        try
        {
            if (upload.MediaUrl is { } mediaUrl)
            {
                var media = await OpenUrlAsync(mediaUrl, origins, cancellationToken).ConfigureAwait(false);
                files.Insert(0, new UploadFile(FileRole.Media, media, media.Length, mediaUrl.Identity));
            }

            if (upload.CoverUrl is { } coverUrl)
            {
                var cover = await OpenUrlAsync(coverUrl, origins, cancellationToken).ConfigureAwait(false);
                files.Insert(1, new UploadFile(FileRole.Cover, cover, cover.Length, coverUrl.Identity));
            }

            if (urlSegments.Count > 0)
            {
                var opened = new IPartSource[urlSegments.Count];
                await Parallel.ForEachAsync(Enumerable.Range(0, urlSegments.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
                    opened[i] = await OpenUrlAsync(urlSegments[i].Url, origins, ct).ConfigureAwait(false)).ConfigureAwait(false);
                for (var i = 0; i < opened.Length; i++)
                {
                    files.Add(new UploadFile(FileRole.Segment, opened[i], opened[i].Length, urlSegments[i].Url.Identity, urlSegments[i].RelativePath));
                }
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

    /// <summary>The manifest as the API takes it: UTF-8 text without a byte-order mark.</summary>
    private static string ManifestText(byte[] content) =>
        System.Text.Encoding.UTF8.GetString(content.AsSpan(content.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0));

    private static List<UploadFile> OpenSources(ValidatedUpload upload, IReadOnlyList<ManifestFile> segments)
    {
        var files = new List<UploadFile>(2 + segments.Count);
        try
        {
            IPartSource? media = upload.MediaPath is not null
                ? new FilePartSource(upload.MediaPath)
                : upload.MediaStream is not null
                ? new StreamPartSource(upload.MediaStream, upload.MediaStream.CanSeek ? upload.MediaStream.Length - upload.MediaStream.Position : null)
                : null; // a URL: opened by OpenFilesAsync
            if (media is not null)
            {
                files.Add(new UploadFile(FileRole.Media, media, media.Length, upload.MediaPath ?? "-"));
            }

            if (upload.CoverPath is not null)
            {
                var cover = new FilePartSource(upload.CoverPath);
                files.Add(new UploadFile(FileRole.Cover, cover, cover.Length, upload.CoverPath));
            }
            else if (upload.CoverStream is { } coverStream)
            {
                var cover = new StreamPartSource(coverStream, coverStream.CanSeek ? coverStream.Length - coverStream.Position : null);
                files.Add(new UploadFile(FileRole.Cover, cover, cover.Length, "-"));
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
        var coverKey = upload.HasCover ? StorageKey(apply.CoverStoragePath, "CoverStoragePath") : null;
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
}
