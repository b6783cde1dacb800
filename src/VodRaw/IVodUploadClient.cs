namespace VodRaw;

/// <summary>
/// What <see cref="VodUploadClient"/> does, as an interface: depend on it in your code and substitute a test double in
/// your tests (the concrete client stays sealed). Everything an upload needs is here; creating and disposing the
/// client (connections, buffers) stays with <see cref="VodUploadClient"/> or the DI container. Server-side pulls
/// (PullUpload) are here too.
/// </summary>
public interface IVodUploadClient
{
    /// <summary>Uploads a media file (and cover) and commits it. See <see cref="VodUploadClient.UploadAsync(string, VodUploadRequest, IProgress{UploadProgress}?, CancellationToken)"/>.</summary>
    /// <param name="region">The upload region, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to upload.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>FileId, MediaUrl, CoverUrl and RequestId.</returns>
    Task<VodUploadResponse> UploadAsync(string region, VodUploadRequest request, CancellationToken cancellationToken = default) =>
        UploadAsync(region, request, progress: null, cancellationToken);

    /// <summary>Uploads a media file (and cover) and commits it, reporting progress.</summary>
    /// <param name="region">The upload region, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to upload.</param>
    /// <param name="progress">Receives progress reports, or null.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>FileId, MediaUrl, CoverUrl and RequestId.</returns>
    Task<VodUploadResponse> UploadAsync(string region, VodUploadRequest request, IProgress<UploadProgress>? progress, CancellationToken cancellationToken = default);

    /// <summary>Works out locally what an upload would send. See <see cref="VodUploadClient.PlanAsync"/>.</summary>
    /// <param name="region">The upload region.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the manifest reading.</param>
    /// <returns>The files and their sizes.</returns>
    Task<UploadPlan> PlanAsync(string region, VodUploadRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gives up an interrupted upload. See <see cref="VodUploadClient.AbortCheckpointAsync(string, bool, CancellationToken)"/>.</summary>
    /// <param name="checkpointId">The checkpoint's id.</param>
    /// <param name="cancellationToken">Cancels before the aborts start.</param>
    /// <returns>The uploads that could not be aborted.</returns>
    Task<IReadOnlyList<OpenMultipartUpload>> AbortCheckpointAsync(string checkpointId, CancellationToken cancellationToken = default);

    /// <summary>Asks VOD to pull media from a URL. See <see cref="VodUploadClient.PullAsync"/>.</summary>
    /// <param name="region">The VOD region, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to pull.</param>
    /// <param name="cancellationToken">Cancels the call (an accepted pull keeps running).</param>
    /// <returns>The pull task's ID, the SessionId sent and the RequestId.</returns>
    Task<VodPullResponse> PullAsync(string region, VodPullRequest request, CancellationToken cancellationToken = default);

    /// <summary>Asks VOD to pull media from a URL and waits for it. See <see cref="VodUploadClient.PullAndWaitAsync"/>.</summary>
    /// <param name="region">The VOD region, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="request">What to pull.</param>
    /// <param name="wait">How long to wait and how often to ask, or null for the defaults.</param>
    /// <param name="progress">Hears each status change, or null.</param>
    /// <param name="cancellationToken">Cancels the call or the wait (an accepted pull keeps running).</param>
    /// <returns>The pulled media's FileId and URLs.</returns>
    Task<VodPullResult> PullAndWaitAsync(string region, VodPullRequest request, PullWaitOptions? wait = null, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Waits for a pull task. See <see cref="VodUploadClient.WaitForPullAsync"/>.</summary>
    /// <param name="region">The VOD region, e.g. <c>ap-guangzhou</c>.</param>
    /// <param name="taskId">The pull task's ID.</param>
    /// <param name="subAppId">The sub-application of the pull, if any.</param>
    /// <param name="wait">How long to wait and how often to ask, or null for the defaults.</param>
    /// <param name="progress">Hears each status change, or null.</param>
    /// <param name="cancellationToken">Cancels the wait (the task keeps running).</param>
    /// <returns>The pulled media's FileId and URLs.</returns>
    Task<VodPullResult> WaitForPullAsync(string region, string taskId, long? subAppId = null, PullWaitOptions? wait = null, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default);
}
