using System.Text.Json.Serialization;

namespace VodRaw.Api;

// Wire shapes of the VOD API 2018-07-17 calls VodRaw makes. Property names are the API's; nulls are omitted.
// ApplyUpload's fields are declared in the order the reference SDK serialises them.

internal sealed class ApplyUploadBody
{
    public required string MediaType { get; init; }

    public long? SubAppId { get; init; }

    public string? MediaName { get; init; }

    public string? CoverType { get; init; }

    public string? Procedure { get; init; }

    public string? ExpireTime { get; init; }

    public string? StorageRegion { get; init; }

    public long? ClassId { get; init; }

    public string? SourceContext { get; init; }

    public string? SessionContext { get; init; }

    public string? ExtInfo { get; init; }

    public string? MediaStoragePath { get; init; }
}

internal sealed class CommitUploadBody
{
    public required string VodSessionKey { get; init; }

    public long? SubAppId { get; init; }
}

internal sealed class ParseStreamingManifestBody
{
    public required string MediaManifestContent { get; init; }

    public string? ManifestType { get; init; }
}

internal sealed class ApiError
{
    public string? Code { get; init; }

    public string? Message { get; init; }
}

internal abstract class ApiResult
{
    public ApiError? Error { get; init; }

    public string? RequestId { get; init; }
}

internal sealed class TempCertificate
{
    public string? SecretId { get; init; }

    public string? SecretKey { get; init; }

    public string? Token { get; init; }

    public long ExpiredTime { get; init; }
}

internal sealed class ApplyUploadResult : ApiResult
{
    public string? StorageBucket { get; init; }

    public string? StorageRegion { get; init; }

    public string? VodSessionKey { get; init; }

    public string? MediaStoragePath { get; init; }

    public string? CoverStoragePath { get; init; }

    public TempCertificate? TempCertificate { get; init; }
}

internal sealed class CommitUploadResult : ApiResult
{
    public string? FileId { get; init; }

    public string? MediaUrl { get; init; }

    public string? CoverUrl { get; init; }
}

internal sealed class ParseStreamingManifestResult : ApiResult
{
    public List<string>? MediaSegmentSet { get; init; }
}

internal sealed class ApiEnvelope<T>
    where T : ApiResult
{
    public T? Response { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(ApplyUploadBody))]
[JsonSerializable(typeof(CommitUploadBody))]
[JsonSerializable(typeof(ParseStreamingManifestBody))]
[JsonSerializable(typeof(ApiEnvelope<ApplyUploadResult>))]
[JsonSerializable(typeof(ApiEnvelope<CommitUploadResult>))]
[JsonSerializable(typeof(ApiEnvelope<ParseStreamingManifestResult>))]
internal sealed partial class VodJsonContext : JsonSerializerContext;
