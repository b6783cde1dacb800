using VodRaw.Transfer;

namespace VodRaw.Sources;

/// <summary>
/// A URL whose origin serves byte ranges and told its length: every part is one ranged GET, fetched in parallel like
/// a file's positional reads and hashed as it arrives. Each GET carries the probe's validators, so a changed object
/// fails as <see cref="FileChangedException"/>. Parts are held whole while sent (never read while sending: a re-read
/// would be a second GET).
/// </summary>
internal sealed class UrlPartSource(OriginClient client, OriginObject origin) : IPartSource
{
    public long? Length => origin.Length;

    public bool IsSequential => false;

    public bool ReadsWhileSending => false;

    public OriginObject Origin => origin;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        (await client.ReadRangeAsync(origin, offset, buffer, cancellationToken).ConfigureAwait(false)).Read;

    public async ValueTask<(int Read, ulong Crc64)> ReadHashedAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        await client.ReadRangeAsync(origin, offset, buffer, cancellationToken).ConfigureAwait(false);

    public void EnsureUnchanged(string? shortRead)
    {
        if (shortRead is not null)
        {
            throw new FileChangedException(origin.Url.Display, "it became shorter: " + shortRead);
        }
    }

    public void Dispose()
    {
    }
}
