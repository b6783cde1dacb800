using System.Security.Cryptography;
using VodRaw.Api;

namespace VodRaw;

/// <summary>
/// Checks a pull request completely before anything is sent, against what the PullUpload documentation states
/// (spec/pull.md), and builds the PullUpload body, with a generated SessionId when the caller gave none.
/// </summary>
internal static class PullRequestValidator
{
    /// <summary>The longest SessionId PullUpload accepts.</summary>
    public const int MaxSessionId = 50;

    /// <summary>The range of TasksPriority.</summary>
    public const int MinTasksPriority = -10;

    /// <summary>The range of TasksPriority.</summary>
    public const int MaxTasksPriority = 10;

    /// <summary>The prefix of a SessionId VodRaw generates (then 32 random hex digits: 39 characters).</summary>
    public const string GeneratedSessionIdPrefix = "vodraw-";

    public static PullUploadBody Validate(string region, VodPullRequest request)
    {
        if (string.IsNullOrWhiteSpace(region))
        {
            throw new ArgumentException("The region is required (for example ap-guangzhou).", nameof(region));
        }

        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.MediaUrl))
        {
            throw new ArgumentException("MediaUrl is required: the http or https URL VOD pulls the media from.", nameof(request));
        }

        var media = RequireHttpUrl(request.MediaUrl, nameof(VodPullRequest.MediaUrl));
        var mediaType = string.IsNullOrEmpty(request.MediaType) ? ExtensionOfPath(media) : request.MediaType;
        if (string.Equals(mediaType, "mpd", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("PullUpload does not pull DASH (.mpd); an HLS playlist (.m3u8) or a media file is pulled. Upload a DASH package with UploadAsync instead.", nameof(request));
        }

        if (request.CoverUrl is not null)
        {
            RequireHttpUrl(request.CoverUrl, nameof(VodPullRequest.CoverUrl));
        }

        if (request.ExpireTime is not null && !UploadRequestValidator.IsIso8601WithZone(request.ExpireTime))
        {
            throw new ArgumentException("ExpireTime must be ISO 8601 with a zone, for example 2030-01-01T00:00:00Z.", nameof(request));
        }

        if (request.SourceContext is { Length: > UploadRequestValidator.MaxSourceContext })
        {
            throw new ArgumentException($"SourceContext is {request.SourceContext.Length} characters; at most {UploadRequestValidator.MaxSourceContext} are allowed.", nameof(request));
        }

        if (request.SessionContext is { Length: > UploadRequestValidator.MaxSessionContext })
        {
            throw new ArgumentException($"SessionContext is {request.SessionContext.Length} characters; at most {UploadRequestValidator.MaxSessionContext} are allowed.", nameof(request));
        }

        if (request.SessionId is { Length: > MaxSessionId })
        {
            throw new ArgumentException($"SessionId is {request.SessionId.Length} characters; at most {MaxSessionId} are allowed.", nameof(request));
        }

        if (request.SessionId is { Length: > 0 } given && string.IsNullOrWhiteSpace(given))
        {
            throw new ArgumentException("SessionId is blank; give a de-duplication key, or leave it unset for VodRaw to generate one.", nameof(request));
        }

        if (request.TasksPriority is < MinTasksPriority or > MaxTasksPriority)
        {
            throw new ArgumentException($"TasksPriority is {request.TasksPriority}; it must be between {MinTasksPriority} and {MaxTasksPriority}.", nameof(request));
        }

        if (request.MediaStoragePath is not null && !request.MediaStoragePath.StartsWith('/'))
        {
            throw new ArgumentException("MediaStoragePath must start with /.", nameof(request));
        }

        if (request.SubAppId is <= 0)
        {
            throw new ArgumentException("SubAppId must be positive.", nameof(request));
        }

        if (request.ClassId is < 0)
        {
            throw new ArgumentException("ClassId must not be negative.", nameof(request));
        }

        return new PullUploadBody
        {
            MediaUrl = request.MediaUrl,
            MediaType = string.IsNullOrEmpty(request.MediaType) ? null : request.MediaType,
            SubAppId = request.SubAppId,
            MediaName = request.MediaName,
            CoverUrl = request.CoverUrl,
            Procedure = request.Procedure,
            ExpireTime = request.ExpireTime,
            StorageRegion = request.StorageRegion,
            ClassId = request.ClassId,
            TasksPriority = request.TasksPriority,
            SessionContext = request.SessionContext,
            SessionId = string.IsNullOrEmpty(request.SessionId) ? GenerateSessionId() : request.SessionId,
            ExtInfo = request.ExtInfo,
            SourceContext = request.SourceContext,
            MediaStoragePath = request.MediaStoragePath,
        };
    }

    /// <summary>A fresh de-duplication key: the prefix and 128 random bits, never repeated in practice.</summary>
    public static string GenerateSessionId() => GeneratedSessionIdPrefix + Hex.ToLowerString(RandomNumberGenerator.GetBytes(16));

    private static Uri RequireHttpUrl(string value, string property)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"{property} must be an absolute http or https URL that VOD can reach; '{value}' is not.", "request");
        }

        return uri;
    }

    /// <summary>The extension of the URL's last path segment (what VOD takes the type from), or null.</summary>
    private static string? ExtensionOfPath(Uri uri)
    {
        var segment = uri.AbsolutePath;
        var slash = segment.LastIndexOf('/');
        return UploadRequestValidator.ExtensionOf(Uri.UnescapeDataString(segment[(slash + 1)..]));
    }
}
