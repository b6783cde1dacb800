namespace VodRaw;

/// <summary>
/// Where the client gets the credential it signs VOD API calls with: asked before every call, so a service can rotate
/// keys or refresh a temporary (STS) credential without a new client. A <see cref="VodCredential"/> is a provider of
/// itself; <see cref="EnvironmentCredentialProvider"/> reads the TENCENTCLOUD_* variables; <see cref="RefreshingCredentialProvider"/>
/// caches a fetched credential until shortly before it expires.
/// </summary>
/// <remarks>
/// An upload takes the credential once when it starts for what belongs to the whole upload (its resume identity, and
/// COS when ApplyUpload hands out no temporary credential); each VOD call asks again. COS requests are signed with the
/// temporary credential ApplyUpload returned. Implementations must be thread-safe and fast when nothing changed.
/// </remarks>
public interface IVodCredentialProvider
{
    /// <summary>The credential to sign the next call with.</summary>
    /// <param name="cancellationToken">Cancels a fetch.</param>
    /// <returns>The credential.</returns>
    ValueTask<VodCredential> GetCredentialAsync(CancellationToken cancellationToken);
}
