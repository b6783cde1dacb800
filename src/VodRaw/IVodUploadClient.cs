namespace VodRaw;

/// <summary>
/// What <see cref="VodUploadClient"/> does, as an interface: depend on it in your code and substitute a test double in
/// your tests (the concrete client stays sealed). Everything an upload needs is here; creating and disposing the
/// client (connections, buffers) stays with <see cref="VodUploadClient"/> or the DI container.
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
}
