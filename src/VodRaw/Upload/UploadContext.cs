using System.Buffers;
using VodRaw.Api;
using VodRaw.Http;

namespace VodRaw.Upload;

/// <summary>What every upload of one client shares, frozen when the client is created.</summary>
internal sealed record UploadContext(
    IVodCredentialProvider Credentials,
    VodUploadClientOptions Options,
    HttpSender Sender,
    VodApiClient Api,
    Func<int, long, ArrayPool<byte>> BufferPoolFactory,
    Transfer.MemoryBudget? Budget = null,
    Transfer.RateLimiter? RateLimiter = null);
