using System.Buffers;
using VodRaw.Api;
using VodRaw.Http;
using VodRaw.Upload;

namespace VodRaw;

/// <summary>
/// Uploads media to Tencent Cloud VOD: ApplyUpload, the media (and cover) to COS — one PUT or a parallel multipart
/// upload — then CommitUpload; or has VOD pull media from a URL (PullUpload). Thread-safe; reuse one client for many uploads.
/// </summary>
/// <example>
/// <code>
/// using var client = new VodUploadClient(secretId, secretKey);
/// var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4" });
/// Console.WriteLine(response.FileId);
/// </code>
/// </example>
public sealed class VodUploadClient : IVodUploadClient, IDisposable
{
    private readonly IVodCredentialProvider _credential;
    private readonly VodUploadClientOptions _options;
    private readonly HttpSender _sender;
    private readonly VodApiClient _api;
    private readonly Transfer.MemoryBudget? _budget;
    private readonly Transfer.RateLimiter? _rateLimiter;

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
        : this((IVodCredentialProvider)credential, options)
    {
    }

    /// <summary>
    /// Creates a client whose credential comes from <paramref name="credentials"/>, asked before every VOD API call
    /// (rotating keys, refreshed STS credentials: <see cref="RefreshingCredentialProvider"/>, <see cref="EnvironmentCredentialProvider"/>).
    /// </summary>
    /// <param name="credentials">The credential provider.</param>
    /// <param name="options">The options (checked now, then copied).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public VodUploadClient(IVodCredentialProvider credentials, VodUploadClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credential = credentials;
        _options = (options ?? new VodUploadClientOptions()).Validated();
        HttpMessageInvoker invoker = _options.HttpClient
            ?? new HttpMessageInvoker(_options.HttpHandler ?? HttpSender.CreateDefaultHandler(_options.ConnectTimeout), disposeHandler: _options.HttpHandler is null);
        _sender = new HttpSender(invoker, _options.Retry, _options.TimeProvider, ownsInvoker: _options.HttpClient is null);
        _api = new VodApiClient(_sender, credentials, _options.VodEndpoint, _options.SignActionHeader, _options.TimeProvider, _options.InactivityTimeout);
        BufferPoolFactory = static (_, _) => SharedPartPool;
        _budget = _options.Transfer.MemoryBudget is { } budget ? new Transfer.MemoryBudget(budget) : null;
        _rateLimiter = _options.Transfer.MaxBytesPerSecond is { } rate ? new Transfer.RateLimiter(rate, _options.TimeProvider) : null;
    }

    /// <summary>
    /// Part buffers of every client in the process: consecutive uploads reuse the same arrays, also when a host makes
    /// a client per request (the DI package's typed client). Each upload's gate still bounds how many are out at once;
    /// the pool keeps at most <see cref="TransferOptions.MaxConcurrency"/> arrays of each size.
    /// </summary>
    private static readonly ArrayPool<byte> SharedPartPool = ArrayPool<byte>.Create(1 << 30, TransferOptions.MaxConcurrency);

    /// <summary>
    /// Creates the HTTP handler VodRaw uses when none is given: a <see cref="SocketsHttpHandler"/> with
    /// <see cref="VodUploadClientOptions.ConnectTimeout"/>, no redirects (a PUT body is never re-sent elsewhere), no
    /// cookies, no decompression, pooled connections renewed every 10 minutes. For hosts that build the HttpClient
    /// themselves (IHttpClientFactory's primary handler); the caller owns and disposes it.
    /// </summary>
    /// <param name="options">The options whose ConnectTimeout applies, or null for the defaults.</param>
    /// <returns>A new handler.</returns>
    public static HttpMessageHandler CreateHttpHandler(VodUploadClientOptions? options = null) =>
        HttpSender.CreateDefaultHandler((options ?? new VodUploadClientOptions()).ConnectTimeout);

    /// <summary>Where part buffers come from (<see cref="SharedPartPool"/>). Tests substitute a counting pool.</summary>
    internal Func<int, long, ArrayPool<byte>> BufferPoolFactory { get; set; }

    /// <summary>Uploads a media file (and cover) and commits it.</summary>
    /// <param name="region">The VOD region to upload in, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to upload.</param>
    /// <param name="cancellationToken">Cancels the upload; a started multipart upload is aborted (paused instead, with a checkpoint store).</param>
    /// <returns>FileId, MediaUrl, CoverUrl and the CommitUpload RequestId.</returns>
    /// <exception cref="ArgumentException">The request is invalid (nothing was sent).</exception>
    /// <exception cref="VodApiException">The VOD API refused a call.</exception>
    /// <exception cref="CosException">COS refused or kept failing an upload request.</exception>
    /// <exception cref="CredentialExpiredException">The temporary COS credential would expire before the next part could finish (a local decision).</exception>
    /// <exception cref="FileChangedException">A file changed while it was being uploaded; nothing was committed.</exception>
    /// <exception cref="VodRawException">With <see cref="VodRawErrorCodes.CheckpointInUse"/>: another run of the same upload holds its checkpoint right now (nothing was sent; transient).</exception>
    /// <exception cref="UploadCanceledException">The token was cancelled; <see cref="UploadCanceledException.Outcome"/> says what was left behind.</exception>
    public Task<VodUploadResponse> UploadAsync(string region, VodUploadRequest request, CancellationToken cancellationToken = default) =>
        UploadAsync(region, request, progress: null, cancellationToken);

    /// <summary>Uploads a media file (and cover) and commits it, reporting progress.</summary>
    /// <param name="region">The VOD region to upload in, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to upload.</param>
    /// <param name="progress">Receives throttled progress reports and a final one at 100 %.</param>
    /// <param name="cancellationToken">Cancels the upload; a started multipart upload is aborted (paused instead, with a checkpoint store).</param>
    /// <returns>FileId, MediaUrl, CoverUrl and the CommitUpload RequestId.</returns>
    /// <exception cref="ArgumentException">The request is invalid (nothing was sent).</exception>
    /// <exception cref="VodApiException">The VOD API refused a call.</exception>
    /// <exception cref="CosException">COS refused or kept failing an upload request.</exception>
    /// <exception cref="CredentialExpiredException">The temporary COS credential would expire before the next part could finish (a local decision).</exception>
    /// <exception cref="FileChangedException">A file changed while it was being uploaded; nothing was committed.</exception>
    /// <exception cref="VodRawException">With <see cref="VodRawErrorCodes.CheckpointInUse"/>: another run of the same upload holds its checkpoint right now (nothing was sent; transient).</exception>
    /// <exception cref="UploadCanceledException">The token was cancelled; <see cref="UploadCanceledException.Outcome"/> says what was left behind.</exception>
    public Task<VodUploadResponse> UploadAsync(string region, VodUploadRequest request, IProgress<UploadProgress>? progress, CancellationToken cancellationToken = default) =>
        new UploadOperation(Context(), progress).RunAsync(region, request, cancellationToken);

    /// <summary>
    /// Gives up an interrupted upload kept in <see cref="VodUploadClientOptions.Checkpoints"/>: aborts the multipart
    /// uploads its checkpoint names and deletes the checkpoint (<see cref="Checkpoints.CheckpointStore.List"/> shows the ids).
    /// </summary>
    /// <param name="checkpointId">The checkpoint's id.</param>
    /// <param name="cancellationToken">Cancels before the aborts start (each abort then runs on its own timer).</param>
    /// <returns>The uploads that could not be aborted (the checkpoint is then kept); empty when every one was.</returns>
    /// <exception cref="InvalidOperationException">No checkpoint store is configured.</exception>
    /// <exception cref="ArgumentException">There is no such checkpoint, or it belongs to another SecretKey.</exception>
    /// <exception cref="VodRawException">With <see cref="VodRawErrorCodes.CheckpointInUse"/>: a running upload holds the checkpoint; nothing was aborted.
    /// With <see cref="VodRawErrorCodes.CommitOutcomeUnknown"/>: CommitUpload was sent for it and may have been applied; it is the only record of that upload, so it was left alone.</exception>
    public Task<IReadOnlyList<OpenMultipartUpload>> AbortCheckpointAsync(string checkpointId, CancellationToken cancellationToken = default) =>
        AbortCheckpointAsync(checkpointId, force: false, cancellationToken);

    /// <summary>
    /// As <see cref="AbortCheckpointAsync(string, CancellationToken)"/>; with <paramref name="force"/>, a checkpoint
    /// whose CommitUpload may have been applied is dropped too (its media, if committed, stays in VOD; only the record
    /// that could tell its FileId is lost).
    /// </summary>
    /// <param name="checkpointId">The checkpoint's id.</param>
    /// <param name="force">Drop a checkpoint whose CommitUpload outcome is unknown as well.</param>
    /// <param name="cancellationToken">Cancels before the aborts start (the aborts run on a timer of their own).</param>
    /// <returns>The multipart uploads that could not be aborted (empty when all went).</returns>
    public Task<IReadOnlyList<OpenMultipartUpload>> AbortCheckpointAsync(string checkpointId, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointId);
        var store = _options.Checkpoints ?? throw new InvalidOperationException("No checkpoint store is configured (VodUploadClientOptions.Checkpoints).");
        return new UploadOperation(Context(), progress: null).AbortCheckpointAsync(store, checkpointId, force, cancellationToken);
    }

    /// <summary>
    /// Works out what <see cref="UploadAsync(string, VodUploadRequest, CancellationToken)"/> would send, without a
    /// request: checks the request as the upload does, expands an HLS/DASH package with the local parser (traversal
    /// and missing files refused), reads the sizes, and refuses a plan of more than 10,000 parts. For dry runs and for
    /// checking a whole batch before anything is sent.
    /// </summary>
    /// <param name="region">The upload region.</param>
    /// <param name="request">The request, as it would be uploaded (not changed).</param>
    /// <param name="cancellationToken">Cancels the manifest reading.</param>
    /// <returns>The files and their sizes.</returns>
    /// <exception cref="ArgumentException">The request is invalid (a <see cref="ManifestException"/> for a package that breaks the rules).</exception>
    public Task<UploadPlan> PlanAsync(string region, VodUploadRequest request, CancellationToken cancellationToken = default) =>
        new UploadOperation(Context(), progress: null).PlanAsync(region, request, cancellationToken);

    /// <summary>
    /// Asks VOD to pull media from a URL (PullUpload): VOD fetches it itself, nothing passes through this machine. Returns
    /// once VOD has accepted the pull, with the task that runs it; <see cref="WaitForPullAsync"/> waits for that task, or
    /// use <see cref="PullAndWaitAsync"/> for both.
    /// </summary>
    /// <remarks>
    /// The request carries a SessionId (the caller's, or a random one VodRaw generates), which VOD refuses to accept twice
    /// within three days. So when PullUpload's reply is lost, VodRaw sends it again with the same SessionId: either the
    /// first attempt never arrived and this one starts the pull, or VOD refuses it as a duplicate and VodRaw finds the
    /// task the first attempt started by its SessionId (DescribeTasks). A second pull is never started.
    /// </remarks>
    /// <param name="region">The VOD region to call, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to pull.</param>
    /// <param name="cancellationToken">Cancels the call (a pull VOD already accepted keeps running; see <see cref="PullCanceledException"/>).</param>
    /// <returns>The pull task's ID, the SessionId sent, and the PullUpload RequestId.</returns>
    /// <exception cref="ArgumentException">The request is invalid (nothing was sent).</exception>
    /// <exception cref="VodApiException">The VOD API refused the pull (for example <c>InvalidParameterValue.SessionId</c>: the SessionId was used within the last three days).</exception>
    /// <exception cref="PullOutcomeUnknownException">PullUpload's reply was lost and no later attempt settled whether VOD started the pull.</exception>
    /// <exception cref="PullCanceledException">The token was cancelled; <see cref="PullCanceledException.PullMayHaveStarted"/> says whether PullUpload was sent.</exception>
    public Task<VodPullResponse> PullAsync(string region, VodPullRequest request, CancellationToken cancellationToken = default) =>
        new Pull.PullOperation(_api, _options.TimeProvider).PullAsync(region, request, cancellationToken);

    /// <summary>
    /// Asks VOD to pull media from a URL (<see cref="PullAsync"/>), then waits for the pull task to finish
    /// (<see cref="WaitForPullAsync"/>) and returns the media's FileId and URL.
    /// </summary>
    /// <param name="region">The VOD region to call, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to pull.</param>
    /// <param name="wait">How long to wait and how often to ask; null for the defaults (<see cref="PullWaitOptions"/>).</param>
    /// <param name="progress">Hears each status and progress change DescribeTaskDetail reports, or null.</param>
    /// <param name="cancellationToken">Cancels the call or the wait. Cancelling the wait does not cancel the pull task: it keeps running at VOD.</param>
    /// <returns>The pulled media's FileId, MediaUrl and CoverUrl, with the task's ID.</returns>
    /// <exception cref="ArgumentException">The request or the wait options are invalid (nothing was sent).</exception>
    /// <exception cref="VodApiException">The VOD API refused a call.</exception>
    /// <exception cref="PullFailedException">The pull task finished without the media (its ErrCode and message are on the exception).</exception>
    /// <exception cref="PullStillRunningException">The deadline passed while the task was running; it keeps running (its TaskId is on the exception).</exception>
    /// <exception cref="PullOutcomeUnknownException">PullUpload's reply was lost and no later attempt settled whether VOD started the pull.</exception>
    /// <exception cref="PullCanceledException">The token was cancelled; the pull task, if VOD accepted it, keeps running.</exception>
    public async Task<VodPullResult> PullAndWaitAsync(string region, VodPullRequest request, PullWaitOptions? wait = null, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var waitOptions = (wait ?? new PullWaitOptions()).Validated();
        var operation = new Pull.PullOperation(_api, _options.TimeProvider);
        var accepted = await operation.PullAsync(region, request, cancellationToken).ConfigureAwait(false);
        return await operation.WaitAsync(region.Trim(), accepted.TaskId, request.SubAppId, accepted.SessionId, waitOptions, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for a pull task VOD accepted (from <see cref="PullAsync"/>, or named by a <see cref="PullStillRunningException"/>):
    /// DescribeTaskDetail at growing intervals, on the client's <see cref="VodUploadClientOptions.TimeProvider"/>, until
    /// the task finishes or fails, or the deadline passes. VOD keeps a task's details for three days.
    /// </summary>
    /// <param name="region">The VOD region to call, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="taskId">The pull task's ID.</param>
    /// <param name="subAppId">The sub-application the pull was made in, if any.</param>
    /// <param name="wait">How long to wait and how often to ask; null for the defaults (<see cref="PullWaitOptions"/>).</param>
    /// <param name="progress">Hears each status and progress change DescribeTaskDetail reports, or null.</param>
    /// <param name="cancellationToken">Cancels the wait. It does not cancel the task: it keeps running at VOD.</param>
    /// <returns>The pulled media's FileId, MediaUrl and CoverUrl.</returns>
    /// <exception cref="ArgumentException">An argument is invalid (nothing was sent), or the task is not a pull task.</exception>
    /// <exception cref="VodApiException">The VOD API refused DescribeTaskDetail (<c>InvalidParameterValue.TaskId</c>: no such task).</exception>
    /// <exception cref="PullFailedException">The pull task finished without the media.</exception>
    /// <exception cref="PullStillRunningException">The deadline passed while the task was running; it keeps running.</exception>
    /// <exception cref="PullCanceledException">The token was cancelled; the task keeps running.</exception>
    public Task<VodPullResult> WaitForPullAsync(string region, string taskId, long? subAppId = null, PullWaitOptions? wait = null, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(region))
        {
            throw new ArgumentException("The region is required (for example ap-guangzhou).", nameof(region));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        if (subAppId is <= 0)
        {
            throw new ArgumentException("SubAppId must be positive.", nameof(subAppId));
        }

        var waitOptions = (wait ?? new PullWaitOptions()).Validated();
        return new Pull.PullOperation(_api, _options.TimeProvider).WaitAsync(region.Trim(), taskId, subAppId, sessionId: null, waitOptions, progress, cancellationToken);
    }

    /// <summary>The client's shared memory budget (null when none is configured); for tests.</summary>
    internal Transfer.MemoryBudget? Budget => _budget;

    /// <summary>Releases the HTTP handler VodRaw created (a caller's handler is left alone).</summary>
    public void Dispose() => _sender.Dispose();

    private UploadContext Context() => new(_credential, _options, _sender, _api, BufferPoolFactory, _budget, _rateLimiter);
}
