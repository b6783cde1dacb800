namespace VodRaw;

/// <summary>
/// Settings of a <see cref="VodUploadClient"/>. Read once when the client is created (checked, then copied), so later
/// changes to this object do not affect an existing client.
/// </summary>
public sealed class VodUploadClientOptions
{
    /// <summary>The default VOD API endpoint.</summary>
    public static readonly Uri DefaultVodEndpoint = new("https://vod.tencentcloudapi.com/");

    /// <summary>The default COS endpoint template.</summary>
    public const string DefaultCosEndpointTemplate = "https://{bucket}.cos.{region}.myqcloud.com";

    /// <summary>
    /// The VOD API endpoint. Default <c>https://vod.tencentcloudapi.com/</c>; regional hosts such as
    /// <c>https://vod.ap-guangzhou.tencentcloudapi.com/</c> and the emulator's endpoint work the same way.
    /// </summary>
    public Uri VodEndpoint { get; set; } = DefaultVodEndpoint;

    /// <summary>
    /// Where COS buckets are reached, with <c>{bucket}</c> and <c>{region}</c> placeholders. Default
    /// <c>https://{bucket}.cos.{region}.myqcloud.com</c>. Use <c>https://{bucket}.cos.accelerate.myqcloud.com</c> for
    /// global acceleration, or a base URL with <c>{bucket}</c> in its path (path style) for the emulator and private
    /// deployments, e.g. <c>http://127.0.0.1:9000/{bucket}</c>.
    /// </summary>
    public string CosEndpointTemplate { get; set; } = DefaultCosEndpointTemplate;

    /// <summary>
    /// The HTTP handler to send through (proxies, certificates, test handlers). Default null: VodRaw creates a
    /// <see cref="System.Net.Http.SocketsHttpHandler"/> with <see cref="ConnectTimeout"/> and owns it. A given handler
    /// is not disposed by the client.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>
    /// An <see cref="System.Net.Http.HttpClient"/> to send through instead (one from IHttpClientFactory, so the host's
    /// handlers, proxies and handler rotation apply). Default null. Not disposed by the client. Its
    /// <see cref="HttpClient.Timeout"/> must be <see cref="Timeout.InfiniteTimeSpan"/>: a part on a slow link may take
    /// longer than its 100 s default, and VodRaw times out on inactivity itself (<see cref="InactivityTimeout"/>).
    /// Set either this or <see cref="HttpHandler"/>, not both.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Part size, parts in flight and Content-MD5.</summary>
    public TransferOptions Transfer { get; set; } = new();

    /// <summary>Retry policy for every request.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>TCP/TLS connect timeout (only for the handler VodRaw creates). Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An attempt fails (and is retried) when no byte has moved in either direction for this long. There is no
    /// whole-request timeout, so a slow but moving link always finishes. Default 60 s.
    /// </summary>
    public TimeSpan InactivityTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Inactivity allowed while Complete Multipart Upload merges parts (COS keeps the connection alive with
    /// whitespace, but may pause). Default 10 minutes.
    /// </summary>
    public TimeSpan CompleteTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Time allowed for Abort Multipart Upload after a failure or cancellation. It runs on its own timer, never on the
    /// caller's cancelled token. Default 15 s.
    /// </summary>
    public TimeSpan AbortTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Clock-skew allowance for the temporary COS credential: a request is started only when, at the upload rate
    /// measured so far, it is expected to finish at least this long before the credential's ExpiredTime. A small
    /// upload with a short-lived credential therefore goes ahead; a part that cannot finish in time is not started
    /// (<see cref="CredentialExpiredException"/>). Default 5 s.
    /// </summary>
    public TimeSpan CredentialExpiryMargin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Minimum time between two progress reports (phase changes and the final report always go out). Default 250 ms.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Also sign the <c>x-tc-action</c> header (the current documentation's TC3 variant). Default false: <c>content-type;host</c>.</summary>
    public bool SignActionHeader { get; set; }

    /// <summary>The clock for signatures and credential expiry. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// How the files of an HLS/DASH package are found. Default <see cref="ManifestDiscovery.Service"/> (VOD's
    /// ParseStreamingManifest, as the reference SDK); <see cref="ManifestDiscovery.Local"/> saves one round trip per
    /// manifest. Either way every manifest is checked locally before anything is sent.
    /// </summary>
    public ManifestDiscovery ManifestDiscovery { get; set; } = ManifestDiscovery.Service;

    /// <summary>
    /// Where interrupted uploads keep their checkpoints, so that the same upload run again resumes where it stopped
    /// (spec/resume.md). With a store, cancellation and failures pause: the multipart uploads stay open and the
    /// checkpoint is kept (a file that changed is still aborted). Uploads from a stream are never checkpointed.
    /// </summary>
    /// <remarks>Default: null — no checkpoints; a cancelled or failed upload aborts what it started.</remarks>
    public Checkpoints.CheckpointStore? Checkpoints { get; set; }

    /// <summary>
    /// Attempts per GET of a URL source's origin (<see cref="VodUploadRequest.MediaUrl"/>), including the first: the
    /// origin's own retry budget, apart from <see cref="Retry"/>'s for VOD and COS (the backoff waits are
    /// <see cref="Retry"/>'s, and an origin's Retry-After is honoured up to its MaxDelay). Default 5; range 1–20.
    /// </summary>
    public int OriginMaxAttempts { get; set; } = 5;

    /// <summary>Redirects followed per GET of a URL source (to http or https only). Default 5; range 0–20.</summary>
    public int OriginMaxRedirects { get; set; } = 5;

    /// <summary>
    /// Checks every setting as the client's constructor does (for hosts that validate options at start-up).
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range or inconsistent; the message and
    /// <see cref="ArgumentException.ParamName"/> name it.</exception>
    public void Validate() => _ = Validated();

    internal VodUploadClientOptions Validated()
    {
        ArgumentNullException.ThrowIfNull(VodEndpoint, nameof(VodEndpoint));
        if (!VodEndpoint.IsAbsoluteUri || (VodEndpoint.Scheme != Uri.UriSchemeHttps && VodEndpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("VodEndpoint must be an absolute http or https URI.", nameof(VodEndpoint));
        }

        Cos.CosEndpoint.ValidateTemplate(CosEndpointTemplate, nameof(CosEndpointTemplate));
        if (HttpClient is not null && HttpHandler is not null)
        {
            throw new ArgumentException("Set HttpClient or HttpHandler, not both.", nameof(HttpClient));
        }

        if (HttpClient is { Timeout: var timeout } && timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException(
                $"HttpClient.Timeout is {timeout.TotalSeconds} s: set it to Timeout.InfiniteTimeSpan (a part on a slow link can take longer; VodRaw times out on inactivity, InactivityTimeout).",
                nameof(HttpClient));
        }
        ArgumentNullException.ThrowIfNull(Transfer, nameof(Transfer));
        ArgumentNullException.ThrowIfNull(Retry, nameof(Retry));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(InactivityTimeout, nameof(InactivityTimeout));
        Positive(CompleteTimeout, nameof(CompleteTimeout));
        Positive(AbortTimeout, nameof(AbortTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(CredentialExpiryMargin, TimeSpan.Zero, nameof(CredentialExpiryMargin));
        ArgumentOutOfRangeException.ThrowIfLessThan(ProgressInterval, TimeSpan.Zero, nameof(ProgressInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(OriginMaxAttempts, 1, nameof(OriginMaxAttempts));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(OriginMaxAttempts, 20, nameof(OriginMaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(OriginMaxRedirects, 0, nameof(OriginMaxRedirects));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(OriginMaxRedirects, 20, nameof(OriginMaxRedirects));
        if (!Enum.IsDefined(ManifestDiscovery))
        {
            throw new ArgumentOutOfRangeException(nameof(ManifestDiscovery), ManifestDiscovery, "Service or Local.");
        }

        return new VodUploadClientOptions
        {
            VodEndpoint = VodEndpoint,
            CosEndpointTemplate = CosEndpointTemplate,
            HttpHandler = HttpHandler,
            HttpClient = HttpClient,
            Transfer = Transfer.Validated(),
            Retry = Retry.Validated(),
            ConnectTimeout = ConnectTimeout,
            InactivityTimeout = InactivityTimeout,
            CompleteTimeout = CompleteTimeout,
            AbortTimeout = AbortTimeout,
            CredentialExpiryMargin = CredentialExpiryMargin,
            ProgressInterval = ProgressInterval,
            SignActionHeader = SignActionHeader,
            TimeProvider = TimeProvider,
            ManifestDiscovery = ManifestDiscovery,
            Checkpoints = Checkpoints,
            OriginMaxAttempts = OriginMaxAttempts,
            OriginMaxRedirects = OriginMaxRedirects,
        };

        static void Positive(TimeSpan value, string name) => ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, name);
    }
}
