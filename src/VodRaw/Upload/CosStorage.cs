using VodRaw.Cos;
using VodRaw.Http;

namespace VodRaw.Upload;

/// <summary>The bucket of one upload session and how to sign for it: hands out a COS target per object key.</summary>
internal sealed class CosStorage(string bucket, CosRequestFactory requests, CosTargetOptions options)
{
    public string Bucket { get; } = bucket;

    public CosObjectTarget Target(HttpSender sender, string key) => new(sender, requests, Bucket, key, options);
}
