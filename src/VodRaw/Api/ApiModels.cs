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

// PullUpload's fields in the order of the API's request structure (tencentcloud-sdk PullUploadRequest).
internal sealed class PullUploadBody
{
    public required string MediaUrl { get; init; }

    public string? MediaType { get; init; }

    public long? SubAppId { get; init; }

    public string? MediaName { get; init; }

    public string? CoverUrl { get; init; }

    public string? Procedure { get; init; }

    public string? ExpireTime { get; init; }

    public string? StorageRegion { get; init; }

    public long? ClassId { get; init; }

    public int? TasksPriority { get; init; }

    public string? SessionContext { get; init; }

    public required string SessionId { get; init; }

    public string? ExtInfo { get; init; }

    public string? SourceContext { get; init; }

    public string? MediaStoragePath { get; init; }
}

internal sealed class DescribeTaskDetailBody
{
    public required string TaskId { get; init; }

    public long? SubAppId { get; init; }
}

/// <summary>DescribeTasks, as VodRaw uses it: the tasks created since a time, newest first, to find one by its SessionId.</summary>
internal sealed class DescribeTasksBody
{
    public long? SubAppId { get; init; }

    public TimeRange? CreateTime { get; init; }

    public SortBy? Sort { get; init; }

    public int? Limit { get; init; }

    public string? ScrollToken { get; init; }
}

internal sealed class TimeRange
{
    public string? After { get; init; }

    public string? Before { get; init; }
}

internal sealed class SortBy
{
    public required string Field { get; init; }

    public required string Order { get; init; }
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

internal sealed class PullUploadResult : ApiResult
{
    public string? TaskId { get; init; }
}

internal sealed class DescribeTaskDetailResult : ApiResult
{
    public string? TaskType { get; init; }

    public string? Status { get; init; }

    public string? CreateTime { get; init; }

    public string? FinishTime { get; init; }

    public PullUploadTask? PullUploadTask { get; init; }
}

internal sealed class PullUploadTask
{
    public string? TaskId { get; init; }

    public string? Status { get; init; }

    public long? ErrCode { get; init; }

    public string? Message { get; init; }

    public string? FileId { get; init; }

    public MediaBasicInfo? MediaBasicInfo { get; init; }

    public string? FileUrl { get; init; }

    public string? SessionId { get; init; }

    public long? Progress { get; init; }
}

internal sealed class MediaBasicInfo
{
    public string? MediaUrl { get; init; }

    public string? CoverUrl { get; init; }
}

internal sealed class DescribeTasksResult : ApiResult
{
    public List<TaskSimpleInfo>? TaskSet { get; init; }

    public string? ScrollToken { get; init; }
}

internal sealed class TaskSimpleInfo
{
    public string? TaskId { get; init; }

    public string? TaskType { get; init; }

    public string? Status { get; init; }

    public string? SessionId { get; init; }
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
[JsonSerializable(typeof(PullUploadBody))]
[JsonSerializable(typeof(DescribeTaskDetailBody))]
[JsonSerializable(typeof(DescribeTasksBody))]
[JsonSerializable(typeof(ApiEnvelope<PullUploadResult>))]
[JsonSerializable(typeof(ApiEnvelope<DescribeTaskDetailResult>))]
[JsonSerializable(typeof(ApiEnvelope<DescribeTasksResult>))]
internal sealed partial class VodJsonContext : JsonSerializerContext;
