using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using VodRaw.Emulator.Cos;
using VodRaw.Emulator.Vod;

namespace VodRaw.Emulator;

/// <summary>
/// A local stand-in for Tencent Cloud VOD's upload API and the COS buckets it hands out, on Kestrel, bound to
/// 127.0.0.1. It checks TC3 and COS signatures as the services do, keeps objects on disk, assembles multipart uploads,
/// runs PullUpload tasks (fetching from loopback URLs only), and injects the faults its <see cref="Faults"/> plan declares.
/// </summary>
/// <example>
/// <code>
/// await using var emulator = await VodEmulator.StartAsync();
/// // point a VodUploadClient at emulator.VodEndpoint / emulator.CosEndpoint with emulator.Credential
/// </code>
/// </example>
public sealed partial class VodEmulator : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, VodSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VodSession> _sessionsByTempId = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<EmulatorRequest> _requests = new();
    private readonly VodEmulatorOptions _options;
    private readonly HashSet<long> _pathModeSubAppIds;
    private readonly object _chosenPathCommits = new(); // a check that a chosen path is free and the commit that takes it, as one step
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private int _vodPort;
    private long _nextFileId = 5285890784313419000;

    private VodEmulator(VodEmulatorOptions options)
    {
        _options = options;
        _pathModeSubAppIds = PathModeSubAppIdsOf(options);
        Credential = options.Credential ?? EmulatorCredential.Generate("AKIDEMU", temporary: false);
        TemporaryCredential = options.TemporaryCredential ?? EmulatorCredential.Generate("AKIDEMUSTS", temporary: true);
        Store = new ObjectStore(options.DataDirectory, options.StoreContent);
        TemporaryCredentialLifetime = options.TemporaryCredentialLifetime;
    }

    /// <summary>The VOD API endpoint (POST /).</summary>
    public Uri VodEndpoint { get; private set; } = null!;

    /// <summary>The COS endpoint; buckets are addressed path-style: <c>{CosEndpoint}/{bucket}/{key}</c>.</summary>
    public Uri CosEndpoint { get; private set; } = null!;

    /// <summary>A <see cref="VodUploadClientOptions.CosEndpointTemplate"/> for this emulator (path style).</summary>
    public string CosEndpointTemplate => CosEndpoint + "{bucket}";

    /// <summary>Client options pointing at this emulator (VOD endpoint and COS template set), to adjust further.</summary>
    /// <param name="configure">Changes the options before they are returned (part size, retries, …).</param>
    public VodUploadClientOptions ClientOptions(Action<VodUploadClientOptions>? configure = null)
    {
        var options = new VodUploadClientOptions { VodEndpoint = VodEndpoint, CosEndpointTemplate = CosEndpointTemplate };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A client with this emulator's permanent key and <see cref="ClientOptions"/>.</summary>
    /// <param name="configure">Changes the options first.</param>
    public VodUploadClient CreateClient(Action<VodUploadClientOptions>? configure = null) => new(Credential, ClientOptions(configure));

    /// <summary>The permanent API key both sides accept.</summary>
    public EmulatorCredential Credential { get; }

    /// <summary>A temporary API key (with token) the VOD API side also accepts, for testing callers' STS credentials.</summary>
    public EmulatorCredential TemporaryCredential { get; }

    /// <summary>When <see cref="TemporaryCredential"/> stops being accepted: 12 hours after the emulator started (the longest STS lifetime).</summary>
    public DateTimeOffset TemporaryCredentialExpiresAt { get; private set; }

    /// <summary>The faults to inject; add rules at any time.</summary>
    public FaultPlan Faults { get; } = new();

    /// <summary>Lifetime of TempCertificates issued from now on. Default from the options (1 hour).</summary>
    public TimeSpan TemporaryCredentialLifetime { get; set; }

    /// <summary>Every request served so far, in arrival order of completion.</summary>
    public IReadOnlyList<EmulatorRequest> Requests => [.. _requests];

    /// <summary>Every stored object.</summary>
    public IReadOnlyCollection<EmulatorObject> Objects => Store.Objects;

    /// <summary>Upload IDs of multipart uploads that were aborted.</summary>
    public IReadOnlyCollection<string> AbortedUploads => Store.AbortedUploadIds;

    /// <summary>Multipart uploads initiated and neither completed nor aborted.</summary>
    public int PendingMultipartUploads => Store.Uploads.Count;

    /// <summary>Upload IDs of the multipart uploads still open.</summary>
    public IReadOnlyList<string> PendingUploadIds => [.. Store.Uploads.Select(u => u.UploadId)];

    /// <summary>The bucket ApplyUpload hands out for a sub-application (or the main application).</summary>
    public string BucketFor(long? subAppId) => $"vodemu{subAppId?.ToString(CultureInfo.InvariantCulture) ?? "main"}-{_options.AppId.ToString(CultureInfo.InvariantCulture)}";

    internal ObjectStore Store { get; }

    /// <summary>Set on a request whose reply is to be lost (<see cref="FaultKind.LoseReply"/>).</summary>
    internal const string LoseReplyItem = "vodraw.lose-reply";

    /// <summary>Cancelled when the emulator stops, so stalled handlers end with it.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>
    /// Turns the reply of this request into nothing: the handler runs and its effects stand, but what it writes goes
    /// nowhere and the connection is dropped afterwards.
    /// </summary>
    internal static void LoseReply(HttpContext context)
    {
        context.Items[LoseReplyItem] = true;
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
    }

    internal const string DelayReplyItem = "vodraw.delay-reply";

    /// <summary>Buffers what the handler writes, to be sent after <paramref name="delay"/> (<see cref="FaultKind.DelayReply"/>).</summary>
    internal static void DelayReply(HttpContext context, TimeSpan delay)
    {
        var original = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()!;
        var buffer = new MemoryStream();
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
        context.Items[DelayReplyItem] = new HeldReply(original, buffer, delay);
    }

    private async Task ReleaseAsync(HttpContext context, HeldReply reply)
    {
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Stopping);
            await Task.Delay(reply.Delay, Time, wait.Token).ConfigureAwait(false);
            context.Features.Set(reply.Original);
            await reply.Original.Stream.WriteAsync(reply.Buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            context.Abort();
        }
    }

    internal sealed record HeldReply(Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature Original, MemoryStream Buffer, TimeSpan Delay);

    /// <summary>How many requests of an operation were served (each attempt counts), optionally for one part or key suffix.</summary>
    public int Attempts(EmulatorOperation operation, int? partNumber = null, string? keySuffix = null) =>
        _requests.Count(r => r.Operation == operation && (partNumber is null || r.PartNumber == partNumber)
            && (keySuffix is null || r.Target.EndsWith(keySuffix, StringComparison.Ordinal)));

    internal TimeProvider Time => _options.TimeProvider;

    /// <summary>Waits the configured <see cref="VodEmulatorOptions.Latency"/> (nothing by default).</summary>
    internal Task EmulateLatencyAsync(CancellationToken cancellationToken) =>
        _options.Latency > TimeSpan.Zero ? Task.Delay(_options.Latency, cancellationToken) : Task.CompletedTask;

    /// <summary>Starts an emulator on 127.0.0.1.</summary>
    public static async Task<VodEmulator> StartAsync(VodEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new VodEmulatorOptions();
        var emulator = new VodEmulator(options);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        ListenOptions? vodListen = null;
        ListenOptions? cosListen = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, options.VodPort, l => vodListen = l);
            k.Listen(IPAddress.Loopback, options.CosPort, l => cosListen = l);
        });
        var app = builder.Build();
        var vod = new VodApiHandler(emulator);
        var cos = new CosHandler(emulator);
        app.Run(async context =>
        {
            await (context.Connection.LocalPort == emulator._vodPort ? vod.HandleAsync(context) : cos.HandleAsync(context)).ConfigureAwait(false);
            if (context.Items.ContainsKey(LoseReplyItem))
            {
                context.Abort(); // the request took effect; its reply never leaves
            }
            else if (context.Items.TryGetValue(DelayReplyItem, out var held) && held is HeldReply reply)
            {
                await emulator.ReleaseAsync(context, reply).ConfigureAwait(false);
            }
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        emulator._app = app;
        emulator._vodPort = vodListen!.IPEndPoint!.Port;
        emulator.VodEndpoint = new Uri($"http://127.0.0.1:{emulator._vodPort.ToString(CultureInfo.InvariantCulture)}/");
        emulator.CosEndpoint = new Uri($"http://127.0.0.1:{cosListen!.IPEndPoint!.Port.ToString(CultureInfo.InvariantCulture)}/");
        emulator.TemporaryCredentialExpiresAt = emulator.Time.GetUtcNow().AddHours(12);
        return emulator;
    }

    /// <summary>Finds a stored object by bucket and key (no leading slash).</summary>
    public EmulatorObject? GetObject(string bucket, string key) => Store.Get(bucket, key);

    /// <summary>Forgets the request log.</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Stops listening and deletes a temporary data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            // Stalled handlers end now; whatever is still open after a short grace is cut.
            await _stopping.CancelAsync().ConfigureAwait(false);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }

        await StopPullsAsync().ConfigureAwait(false);
        Store.Dispose();
    }

    internal EmulatorCredential? FindApiCredential(string secretId) =>
        secretId == Credential.SecretId ? Credential
        : secretId == TemporaryCredential.SecretId && Time.GetUtcNow() < TemporaryCredentialExpiresAt ? TemporaryCredential
        : null;

    internal (EmulatorCredential? Credential, VodSession? Session) FindCosCredential(string secretId)
    {
        if (_sessionsByTempId.TryGetValue(secretId, out var session))
        {
            return (session.TempCredential, session);
        }

        return (FindApiCredential(secretId), null);
    }

    internal bool IsKnownSubAppId(long id) => id > 0 && (_options.SubAppIds is null || _options.SubAppIds.Contains(id));

    /// <summary>Whether a sub-application is in FileID + Path mode (<see cref="VodEmulatorOptions.PathModeSubAppIds"/>).</summary>
    internal bool IsPathMode(long subAppId) => _pathModeSubAppIds.Contains(subAppId);

    private static HashSet<long> PathModeSubAppIdsOf(VodEmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.PathModeSubAppIds, nameof(options));
        foreach (var id in options.PathModeSubAppIds)
        {
            if (id <= 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"PathModeSubAppIds holds {id}; a sub-application ID is positive."), nameof(options));
            }

            if (options.SubAppIds is { } known && !known.Contains(id))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"PathModeSubAppIds holds {id}, which is not one of SubAppIds."), nameof(options));
            }
        }

        return [.. options.PathModeSubAppIds];
    }

    /// <summary>
    /// A new upload session. With <paramref name="mediaStoragePath"/> (FileID + Path mode) the media goes exactly there
    /// and a cover beside it, named after the media (<c>{path}.cover.{type}</c>, so two media of one directory never
    /// share a cover); otherwise the emulator picks a fresh directory, <c>/{dir}/f0.{type}</c> and <c>/{dir}/cover.{type}</c>.
    /// The temporary credential may write in the media's directory (where a package's files go).
    /// </summary>
    internal VodSession CreateSession(string mediaType, string? coverType, long? subAppId, string region, string applyUploadBody = "{}", string? mediaStoragePath = null)
    {
        string mediaPath;
        string? coverPath;
        string keyPrefix;
        if (mediaStoragePath is null)
        {
            var directory = RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture)
                + RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);
            mediaPath = $"/{directory}/f0.{mediaType}";
            coverPath = coverType is null ? null : $"/{directory}/cover.{coverType}";
            keyPrefix = directory + "/";
        }
        else
        {
            mediaPath = mediaStoragePath;
            coverPath = ChosenCoverPath(mediaStoragePath, coverType);
            keyPrefix = mediaStoragePath[1..(mediaStoragePath.LastIndexOf('/') + 1)];
        }

        var session = new VodSession
        {
            SessionKey = Hex.Lower(RandomNumberGenerator.GetBytes(24)),
            Bucket = BucketFor(subAppId),
            Region = region,
            MediaStoragePath = mediaPath,
            MediaType = mediaType,
            CoverStoragePath = coverPath,
            PathChosen = mediaStoragePath is not null,
            SubAppId = subAppId,
            TempCredential = EmulatorCredential.Generate("AKIDTMP", temporary: true),
            TempCredentialExpires = Time.GetUtcNow() + TemporaryCredentialLifetime,
            KeyPrefix = keyPrefix,
            ApplyUploadBody = applyUploadBody,
        };
        _sessions[session.SessionKey] = session;
        _sessionsByTempId[session.TempCredential.SecretId] = session;
        return session;
    }

    /// <summary>Where the cover of media stored at a chosen path goes.</summary>
    internal static string? ChosenCoverPath(string mediaStoragePath, string? coverType) => coverType is null ? null : $"{mediaStoragePath}.cover.{coverType}";

    /// <summary>
    /// The committed media (its path and FileId) that already holds <paramref name="mediaPath"/> or
    /// <paramref name="coverPath"/> in <paramref name="bucket"/>, as its media or its cover; null when neither is taken.
    /// The files of a package are not tracked.
    /// </summary>
    internal (string Path, string FileId)? FindCommittedAt(string bucket, string mediaPath, string? coverPath, VodSession? except = null)
    {
        foreach (var other in _sessions.Values)
        {
            if (ReferenceEquals(other, except) || other.Committed is not { } committed || other.Bucket != bucket)
            {
                continue;
            }

            foreach (var taken in new[] { other.MediaStoragePath, other.CoverStoragePath })
            {
                if (taken is not null && (taken == mediaPath || taken == coverPath))
                {
                    return (taken, committed.FileId);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Commits a session once (a repeat answers the same), or says why not: a promised object is missing
    /// (<c>ResourceNotFound</c>), or committed media took the session's chosen path meanwhile
    /// (<c>InvalidParameterValue.MediaStoragePath</c>; that check and the commit are one step, so two sessions for one
    /// path never both commit).
    /// </summary>
    internal (CommitResult? Committed, string? Code, string? Message) CommitOnce(VodSession session)
    {
        lock (session)
        {
            if (session.Committed is { } done)
            {
                return (done, null, null);
            }

            if (FindMissingObjects(session) is { } missing)
            {
                return (null, "ResourceNotFound", missing);
            }

            if (!session.PathChosen)
            {
                session.Committed = Commit(session);
                return (session.Committed, null, null);
            }

            lock (_chosenPathCommits)
            {
                if (FindCommittedAt(session.Bucket, session.MediaStoragePath, session.CoverStoragePath, except: session) is { } taken)
                {
                    return (null, "InvalidParameterValue.MediaStoragePath",
                        $"{taken.Path} already holds committed media (FileId {taken.FileId}); this upload to it was not committed.");
                }

                session.Committed = Commit(session);
                return (session.Committed, null, null);
            }
        }
    }

    /// <summary>How many upload sessions have been committed (each commit of a session counts once).</summary>
    public int CommittedSessions => _sessions.Values.Count(s => s.Committed is not null);

    /// <summary>
    /// The media committed so far, each with the FileId and URLs CommitUpload answered and the ApplyUpload body that
    /// asked for it (MediaName, Procedure, ClassId, contexts…): what a test of a caller's upload code asserts on.
    /// Media a PullUpload task fetched are here too, with the PullUpload body.
    /// </summary>
    public IReadOnlyList<EmulatorMedia> CommittedMedia => _sessions.Values
        .Where(s => s.Committed is not null)
        .Select(s => new EmulatorMedia(s.Committed!.FileId, s.Committed.MediaUrl, s.Committed.CoverUrl, s.ApplyUploadBody))
        .ToList();

    internal VodSession? FindSession(string sessionKey) => _sessions.TryGetValue(sessionKey, out var s) ? s : null;

    /// <summary>Names the first promised object that is missing, or null when all exist (manifests: every reference, recursively).</summary>
    internal string? FindMissingObjects(VodSession session)
    {
        var mediaKey = session.MediaStoragePath.TrimStart('/');
        var media = Store.Get(session.Bucket, mediaKey);
        if (media is null)
        {
            return $"The media file {session.MediaStoragePath} was not uploaded.";
        }

        if (session.CoverStoragePath is not null && Store.Get(session.Bucket, session.CoverStoragePath.TrimStart('/')) is null)
        {
            return $"The cover file {session.CoverStoragePath} was not uploaded.";
        }

        var pending = new Queue<EmulatorObject>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { mediaKey };
        if (IsManifest(mediaKey))
        {
            pending.Enqueue(media);
        }

        while (pending.Count > 0)
        {
            var manifest = pending.Dequeue();
            if (!manifest.HasContent)
            {
                continue;
            }

            var slash = manifest.Key.LastIndexOf('/');
            var directory = slash < 0 ? string.Empty : manifest.Key[..(slash + 1)];
            var type = manifest.Key.EndsWith(".mpd", StringComparison.OrdinalIgnoreCase) ? "mpd" : "m3u8";
            IReadOnlyList<string> references;
            try
            {
                references = PackageReader.Read(manifest.ReadAllBytes(), type);
            }
            catch (FormatException e)
            {
                return $"The manifest {manifest.Key} cannot be parsed: {e.Message}";
            }

            foreach (var reference in references)
            {
                if (PackageReader.Normalize(reference, out var violation) is not { } relative)
                {
                    return $"The manifest {manifest.Key} references '{reference}', which {violation}.";
                }

                var key = directory + relative;
                var obj = Store.Get(session.Bucket, key);
                if (obj is null)
                {
                    return $"The file {reference} referenced by {manifest.Key} was not uploaded.";
                }

                if (IsManifest(key) && seen.Add(key))
                {
                    pending.Enqueue(obj);
                }
            }
        }

        return null;

        static bool IsManifest(string key) =>
            key.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase) || key.EndsWith(".mpd", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// An object key as a URL path, the emulator's own encoding (not the library's): each segment percent-encoded
    /// except RFC 3986's unreserved characters, <c>/</c> kept, and <c>./</c> written <c>.%2F</c> so that no HTTP stack
    /// takes it for a dot segment.
    /// </summary>
    internal static string ObjectPath(string key) =>
        "/" + string.Join('/', key.TrimStart('/').Split('/').Select(Uri.EscapeDataString)).Replace("./", ".%2F", StringComparison.Ordinal);

    internal CommitResult Commit(VodSession session)
    {
        var fileId = Interlocked.Increment(ref _nextFileId).ToString(CultureInfo.InvariantCulture);
        var baseUrl = CosEndpoint.ToString().TrimEnd('/') + "/" + session.Bucket;
        return new CommitResult(
            fileId,
            baseUrl + ObjectPath(session.MediaStoragePath),
            session.CoverStoragePath is null ? null : baseUrl + ObjectPath(session.CoverStoragePath));
    }

    internal void Log(EmulatorOperation operation, string method, string target, int? partNumber, int status, string? code, FaultKind? fault, long bodyBytes)
    {
        var request = new EmulatorRequest
        {
            At = Time.GetUtcNow(), Operation = operation, Method = method, Target = target, PartNumber = partNumber,
            Status = status, ErrorCode = code, Fault = fault, BodyBytes = bodyBytes,
        };
        _requests.Enqueue(request);
        _options.RequestLogged?.Invoke(request);
    }
}
