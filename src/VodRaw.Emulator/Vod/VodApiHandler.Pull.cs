using System.Globalization;
using System.Text.Json;

namespace VodRaw.Emulator.Vod;

// PullUpload, DescribeTaskDetail and DescribeTasks, checked as the service documents them (spec/pull.md).
internal sealed partial class VodApiHandler
{
    private const string PullTaskType = "PullUpload";
    private const int MaxPullSessionId = 50;
    private const int DefaultTaskPage = 10;
    private const int MaxTaskPage = 100;

    private static readonly HashSet<string> PulledCoverTypes = new(StringComparer.OrdinalIgnoreCase) { "gif", "jpeg", "jpg", "png" };

    private Outcome PullUpload(JsonElement root, string region)
    {
        if (!TryString(root, "MediaUrl", out var mediaUrlText, out var bad) || string.IsNullOrEmpty(mediaUrlText))
        {
            return bad ?? Outcome.Fail("MissingParameter", "MediaUrl is required.");
        }

        if (!Uri.TryCreate(mediaUrlText, UriKind.Absolute, out var mediaUrl) || (mediaUrl.Scheme != Uri.UriSchemeHttp && mediaUrl.Scheme != Uri.UriSchemeHttps))
        {
            return Outcome.Fail("InvalidParameterValue.MediaUrl", "MediaUrl must be an absolute http or https URL.");
        }

        if (LoopbackFetcher.RefusalOf(mediaUrl) is { } refusal)
        {
            return Outcome.Fail("InvalidParameterValue.MediaUrl", refusal);
        }

        if (!TryString(root, "MediaType", out var mediaType, out bad))
        {
            return bad!;
        }

        mediaType = string.IsNullOrEmpty(mediaType) ? ExtensionOf(mediaUrl) : mediaType;
        if (mediaType is null)
        {
            return Outcome.Fail("InvalidParameterValue.MediaType", "MediaType is not set and the MediaUrl's path has no extension to take it from.");
        }

        if (string.Equals(mediaType, "mpd", StringComparison.OrdinalIgnoreCase) || !MediaTypes.Contains(mediaType))
        {
            return Outcome.Fail("InvalidParameterValue.MediaType", $"The media type {mediaType} is not pulled (DASH is not; HLS is).");
        }

        if (!TryString(root, "CoverUrl", out var coverUrlText, out bad))
        {
            return bad!;
        }

        Uri? coverUrl = null;
        string? coverType = null;
        if (!string.IsNullOrEmpty(coverUrlText))
        {
            if (!Uri.TryCreate(coverUrlText, UriKind.Absolute, out coverUrl) || (coverUrl.Scheme != Uri.UriSchemeHttp && coverUrl.Scheme != Uri.UriSchemeHttps))
            {
                return Outcome.Fail("InvalidParameterValue.CoverUrl", "CoverUrl must be an absolute http or https URL.");
            }

            if (LoopbackFetcher.RefusalOf(coverUrl) is { } coverRefusal)
            {
                return Outcome.Fail("InvalidParameterValue.CoverUrl", coverRefusal);
            }

            coverType = ExtensionOf(coverUrl);
            if (coverType is null || !PulledCoverTypes.Contains(coverType))
            {
                return Outcome.Fail("InvalidParameterValue.CoverUrl", "A pulled cover is gif, jpeg (jpg) or png, named by the CoverUrl's extension.");
            }
        }

        if (!TryString(root, "ExpireTime", out var expireTime, out bad))
        {
            return bad!;
        }

        if (expireTime is not null && CheckExpireTime(expireTime) is { } badExpiry)
        {
            return badExpiry;
        }

        foreach (var (name, max, code) in new[]
        {
            ("SourceContext", 250, "InvalidParameterValue.SourceContext"),
            ("SessionContext", 1000, "InvalidParameterValue.SessionContextTooLong"),
            ("SessionId", MaxPullSessionId, "InvalidParameterValue.SessionIdTooLong"),
        })
        {
            if (!TryString(root, name, out var value, out bad))
            {
                return bad!;
            }

            if (value is not null && value.Length > max)
            {
                return Outcome.Fail(code, $"{name} is longer than {max} characters.");
            }
        }

        foreach (var name in new[] { "MediaName", "Procedure", "StorageRegion", "ExtInfo" })
        {
            if (!TryString(root, name, out _, out bad))
            {
                return bad!;
            }
        }

        if (!TryString(root, "MediaStoragePath", out var mediaStoragePath, out bad))
        {
            return bad!;
        }

        if (mediaStoragePath is not null && (!mediaStoragePath.StartsWith('/') || mediaStoragePath.Length < 2))
        {
            return Outcome.Fail("InvalidParameterValue.MediaStoragePath", "MediaStoragePath must start with / and name a file.");
        }

        if (!TryInteger(root, "SubAppId", out var subAppId, out bad) || !TryInteger(root, "ClassId", out _, out bad) || !TryInteger(root, "TasksPriority", out var priority, out bad))
        {
            return bad!;
        }

        if (subAppId is not null && !emulator.IsKnownSubAppId(subAppId.Value))
        {
            return Outcome.Fail("InvalidParameterValue.SubAppId", "The SubAppId does not exist.");
        }

        if (priority is < -10 or > 10)
        {
            return Outcome.Fail("InvalidParameter", "TasksPriority must be between -10 and 10.");
        }

        TryString(root, "SessionId", out var sessionId, out _);
        TryString(root, "SessionContext", out var sessionContext, out _);
        TryString(root, "StorageRegion", out var storageRegion, out _);
        var requestBody = root.GetRawText();
        var task = emulator.AcceptPull(sessionId ?? string.Empty, (taskId, now) => new PullTask
        {
            TaskId = taskId,
            SessionId = sessionId ?? string.Empty,
            SessionContext = sessionContext,
            MediaUrl = mediaUrl,
            CoverUrl = coverUrl,
            MediaType = mediaType,
            CoverType = coverType,
            MediaStoragePath = mediaStoragePath,
            SubAppId = subAppId,
            Region = storageRegion ?? (string.IsNullOrEmpty(region) ? "ap-guangzhou" : region),
            RequestBody = requestBody,
            CreatedAt = now,
        });
        if (task is null)
        {
            return Outcome.Fail("InvalidParameterValue.SessionId", "A PullUpload with this SessionId was accepted within the last three days: the request is refused as a duplicate.");
        }

        return Outcome.Ok(w => w.WriteString("TaskId", task.TaskId));
    }

    private Outcome DescribeTaskDetail(JsonElement root)
    {
        if (!TryString(root, "TaskId", out var taskId, out var bad) || string.IsNullOrEmpty(taskId))
        {
            return bad ?? Outcome.Fail("MissingParameter", "TaskId is required.");
        }

        if (!TryInteger(root, "SubAppId", out var subAppId, out bad))
        {
            return bad!;
        }

        // A task of another application does not exist for this one.
        if (emulator.FindPullTask(taskId) is not { } task || task.SubAppId != subAppId)
        {
            return Outcome.Fail("InvalidParameterValue.TaskId", $"The task {taskId} does not exist.");
        }

        var state = task.State();
        return Outcome.Ok(w =>
        {
            w.WriteString("TaskType", PullTaskType);
            w.WriteString("Status", state.Status);
            w.WriteString("CreateTime", Iso(task.CreatedAt));
            w.WriteString("BeginProcessTime", state.StartedAt is { } started ? Iso(started) : string.Empty);
            w.WriteString("FinishTime", state.FinishedAt is { } finished ? Iso(finished) : string.Empty);
            w.WriteStartObject("PullUploadTask");
            w.WriteString("TaskId", task.TaskId);
            w.WriteString("Status", state.Status);
            w.WriteNumber("ErrCode", state.ErrCode);
            w.WriteString("Message", state.Message);
            w.WriteString("FileId", state.Media?.FileId ?? string.Empty);
            if (state.Media is { } media)
            {
                w.WriteStartObject("MediaBasicInfo");
                w.WriteString("Type", task.MediaType);
                w.WriteString("MediaUrl", media.MediaUrl);
                w.WriteString("CoverUrl", media.CoverUrl ?? string.Empty);
                w.WriteString("StorageRegion", task.Region);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("MediaBasicInfo");
            }

            w.WriteString("FileUrl", state.Media?.MediaUrl ?? string.Empty);
            w.WriteString("ProcedureTaskId", string.Empty);
            w.WriteString("SessionContext", task.SessionContext ?? string.Empty);
            w.WriteString("SessionId", task.SessionId);
            w.WriteNumber("Progress", state.Progress);
            w.WriteEndObject();
        });
    }

    private Outcome DescribeTasks(JsonElement root)
    {
        if (!TryInteger(root, "SubAppId", out var subAppId, out var bad) || !TryInteger(root, "Limit", out var limit, out bad)
            || !TryString(root, "Status", out var status, out bad) || !TryString(root, "FileId", out var fileId, out bad) || !TryString(root, "ScrollToken", out var scrollToken, out bad))
        {
            return bad!;
        }

        if (status is not (null or "WAITING" or "PROCESSING" or "FINISH"))
        {
            return Outcome.Fail("InvalidParameterValue.Status", "Status must be WAITING, PROCESSING or FINISH.");
        }

        if (limit is < 1 or > MaxTaskPage)
        {
            return Outcome.Fail("InvalidParameterValue.Limit", $"Limit must be between 1 and {MaxTaskPage}.");
        }

        var offset = 0;
        if (!string.IsNullOrEmpty(scrollToken) && (!int.TryParse(scrollToken, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            return Outcome.Fail("InvalidParameterValue.ScrollToken", "The ScrollToken is not one DescribeTasks returned.");
        }

        if (!TryTimeRange(root, "CreateTime", out var createdAfter, out var createdBefore, out bad) || !TryTimeRange(root, "FinishTime", out var finishedAfter, out var finishedBefore, out bad))
        {
            return bad!;
        }

        var sortByFinish = false;
        var descending = true;
        if (root.TryGetProperty("Sort", out var sort) && sort.ValueKind != JsonValueKind.Null)
        {
            var field = sort.ValueKind == JsonValueKind.Object && sort.TryGetProperty("Field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            var order = sort.ValueKind == JsonValueKind.Object && sort.TryGetProperty("Order", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
            if (field is not ("CreateTime" or "FinishTime") || order is not ("Asc" or "Desc"))
            {
                return Outcome.Fail("InvalidParameterValue.Sort", "Sort needs Field CreateTime or FinishTime and Order Asc or Desc.");
            }

            sortByFinish = field == "FinishTime";
            descending = order == "Desc";
        }

        var rows = emulator.AllPullTasks
            .Select(t => (Task: t, State: t.State()))
            .Where(r => r.Task.SubAppId == subAppId
                && (status is null || r.State.Status == status)
                && (fileId is null || r.State.Media?.FileId == fileId)
                && (createdAfter is null || r.Task.CreatedAt >= createdAfter) && (createdBefore is null || r.Task.CreatedAt < createdBefore)
                && (finishedAfter is null || r.State.FinishedAt >= finishedAfter) && (finishedBefore is null || r.State.FinishedAt < finishedBefore))
            .ToList();
        Func<(PullTask Task, PullTaskState State), DateTimeOffset> key = sortByFinish ? r => r.State.FinishedAt ?? DateTimeOffset.MaxValue : r => r.Task.CreatedAt;
        var ordered = (descending ? rows.OrderByDescending(key) : rows.OrderBy(key)).ThenBy(r => r.Task.TaskId, StringComparer.Ordinal).ToList();
        var page = ordered.Skip(offset).Take((int)(limit ?? DefaultTaskPage)).ToList();
        var next = offset + page.Count < ordered.Count ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : string.Empty;
        return Outcome.Ok(w =>
        {
            w.WriteStartArray("TaskSet");
            foreach (var (task, state) in page)
            {
                w.WriteStartObject();
                w.WriteString("TaskId", task.TaskId);
                w.WriteString("TaskType", PullTaskType);
                w.WriteString("Status", state.Status);
                w.WriteString("FileId", state.Media?.FileId ?? string.Empty);
                w.WriteString("CreateTime", Iso(task.CreatedAt));
                w.WriteString("BeginProcessTime", state.StartedAt is { } started ? Iso(started) : string.Empty);
                w.WriteString("FinishTime", state.FinishedAt is { } finished ? Iso(finished) : string.Empty);
                w.WriteString("SessionId", task.SessionId);
                w.WriteString("SessionContext", task.SessionContext ?? string.Empty);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("ScrollToken", next);
        });
    }

    /// <summary>A TimeRange parameter (<c>{"After": ISO 8601, "Before": ISO 8601}</c>), either bound optional.</summary>
    private static bool TryTimeRange(JsonElement root, string name, out DateTimeOffset? after, out DateTimeOffset? before, out Outcome? error)
    {
        after = null;
        before = null;
        error = null;
        if (!root.TryGetProperty(name, out var range) || range.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (range.ValueKind != JsonValueKind.Object)
        {
            error = Outcome.Fail("InvalidParameter", $"{name} must be an object with After and Before.");
            return false;
        }

        foreach (var bound in range.EnumerateObject())
        {
            if (bound.Name is not ("After" or "Before") || bound.Value.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(bound.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                error = Outcome.Fail($"InvalidParameterValue.{name}", $"{name} takes After and Before as ISO 8601 times.");
                return false;
            }

            if (bound.Name == "After")
            {
                after = at;
            }
            else
            {
                before = at;
            }
        }

        return true;
    }

    /// <summary>The extension of a URL's last path segment, as VOD takes a pulled file's type from it.</summary>
    private static string? ExtensionOf(Uri url)
    {
        var path = Uri.UnescapeDataString(url.AbsolutePath);
        var name = path[(path.LastIndexOf('/') + 1)..];
        var dot = name.LastIndexOf('.');
        return dot > 0 && dot < name.Length - 1 ? name[(dot + 1)..] : null;
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
