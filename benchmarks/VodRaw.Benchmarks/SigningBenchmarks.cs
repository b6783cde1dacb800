using System.Text;
using BenchmarkDotNet.Attributes;
using VodRaw.Signing;

namespace VodRaw.Benchmarks;

/// <summary>COS signature of an UploadPart request (the per-part hot path): naive baseline vs CosSigner.</summary>
[MemoryDiagnoser]
public class CosSigningBenchmarks
{
    private const string SecretId = "AKIDTMPEXAMPLE000000000000000000000";
    private const string SecretKey = "tmpSecretKeyExample0123456789abcd";
    private const string Path = "/5285890784313419155/f0.mp4";
    private static readonly CosKeyTime KeyTime = new(1699999940, 1700010000);
    private readonly CosSigner _signer = new(SecretId, SecretKey);
    private readonly KeyValuePair<string, string>[] _parameters =
        [new("partNumber", "1"), new("uploadId", "1700000000b2f3c8d1e0a9f7e6d5c4b3a2918171615141312111")];
    private readonly KeyValuePair<string, string>[] _headers =
        [new("Host", "vodgzp1500000001-1250000000.cos.ap-guangzhou.myqcloud.com"), new("Content-Length", "8388608"), new("x-cos-security-token", "exampleSessionToken_abcdef0123456789")];
    private readonly Dictionary<string, string> _parameterMap = new() { ["partNumber"] = "1", ["uploadId"] = "1700000000b2f3c8d1e0a9f7e6d5c4b3a2918171615141312111" };
    private readonly Dictionary<string, string> _headerMap = new()
    {
        ["Host"] = "vodgzp1500000001-1250000000.cos.ap-guangzhou.myqcloud.com",
        ["Content-Length"] = "8388608",
        ["x-cos-security-token"] = "exampleSessionToken_abcdef0123456789",
    };

    [Benchmark(Baseline = true)]
    public string Naive() => NaiveSigners.SignCos(SecretId, SecretKey, "PUT", Path, _parameterMap, _headerMap, "1699999940;1700010000");

    [Benchmark]
    public string VodRaw() => _signer.Sign(new CosSigningInput { Method = "PUT", Path = Path, Parameters = _parameters, Headers = _headers, KeyTime = KeyTime });
}

/// <summary>TC3 signature of an ApplyUpload body: naive baseline vs Tc3Signer.</summary>
[MemoryDiagnoser]
public class Tc3SigningBenchmarks
{
    private const string Payload = "{\"MediaType\":\"mp4\",\"SubAppId\":1500000001,\"MediaName\":\"Wildlife\",\"CoverType\":\"png\",\"Procedure\":\"LongVideoPreset\"}";
    private static readonly byte[] PayloadBytes = Encoding.UTF8.GetBytes(Payload);
    private readonly Tc3Signer _signer = new(new VodCredential("AKIDEXAMPLEVODRAW0000000000000000000", "vodrawExampleSecretKey0123456789ab"));

    [Benchmark(Baseline = true)]
    public string Naive() => NaiveSigners.SignTc3("AKIDEXAMPLEVODRAW0000000000000000000", "vodrawExampleSecretKey0123456789ab",
        "vod.tencentcloudapi.com", "application/json", Payload, 1700000000, "vod");

    [Benchmark]
    public string VodRaw() => _signer.Sign(new Tc3SigningInput
    {
        Service = "vod", Host = "vod.tencentcloudapi.com", ContentType = "application/json", Payload = PayloadBytes,
        Timestamp = 1700000000, Action = "ApplyUpload",
    });
}
