using System.Buffers;
using System.Globalization;
using System.Text;
using VodRaw.Api;

namespace VodRaw;

/// <summary>
/// Checks a request completely before anything is sent, derives what the reference SDK derives (MediaType and
/// CoverType from extensions, MediaName from the file name) without overwriting what the caller set, and builds the
/// ApplyUpload body.
/// </summary>
internal static class UploadRequestValidator
{
    public const int MaxSourceContext = 250;
    public const int MaxSessionContext = 1000;

    /// <summary>COS's limit on an object key, in UTF-8 bytes (the key is MediaStoragePath without its leading '/').</summary>
    public const int MaxObjectKeyBytes = 850;

    private static readonly string[] ExpireTimeFormats = ["yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"];

    public static ValidatedUpload Validate(string region, VodUploadRequest request, TransferOptions transfer)
    {
        if (string.IsNullOrWhiteSpace(region))
        {
            throw new ArgumentException("The upload region is required (for example ap-guangzhou).", nameof(region));
        }

        ArgumentNullException.ThrowIfNull(request);
        var sources = (request.MediaFilePath is null ? 0 : 1) + (request.MediaStream is null ? 0 : 1) + (request.MediaUrl is null ? 0 : 1);
        if (sources == 0)
        {
            throw new ArgumentException("Set MediaFilePath (or MediaStream, or MediaUrl).", nameof(request));
        }

        if (sources > 1)
        {
            throw new ArgumentException("Set one of MediaFilePath, MediaStream and MediaUrl, not several.", nameof(request));
        }

        if (request.SourceHeaders is { Count: > 0 } && request.MediaUrl is null && request.CoverUrl is null)
        {
            throw new ArgumentException("SourceHeaders is set but neither MediaUrl nor CoverUrl is; the headers are for a URL's origin.", nameof(request));
        }

        string? mediaPath = null;
        Sources.SourceUrl? mediaUrl = null;
        var mediaType = request.MediaType;
        if (request.MediaFilePath is not null)
        {
            mediaPath = RequireFile(request.MediaFilePath, nameof(VodUploadRequest.MediaFilePath));
            mediaType ??= ExtensionOf(mediaPath);
        }
        else if (request.MediaUrl is not null)
        {
            mediaUrl = Sources.SourceUrl.Create(request.MediaUrl, Headers(request), nameof(VodUploadRequest.MediaUrl));
            mediaType ??= ExtensionOf(mediaUrl.FileName);
        }
        else if (!request.MediaStream!.CanRead)
        {
            throw new ArgumentException("MediaStream is not readable.", nameof(request));
        }

        if (string.IsNullOrWhiteSpace(mediaType))
        {
            throw new ArgumentException(
                request.MediaStream is not null
                    ? "MediaType is required when uploading from a stream."
                    : mediaUrl is not null
                    ? $"The URL's last path segment ('{mediaUrl.FileName}') has no extension to take the media type from; set MediaType."
                    : $"The media file name has no extension to take the media type from; set MediaType.",
                nameof(request));
        }

        var mediaName = request.MediaName ?? (mediaPath is not null ? StemOf(mediaPath) : mediaUrl is not null && mediaUrl.FileName.Length > 0 ? StemOf(mediaUrl.FileName) : null);

        string? coverPath = null;
        Sources.SourceUrl? coverUrl = null;
        var coverType = request.CoverType;
        var coverSources = (request.CoverFilePath is null ? 0 : 1) + (request.CoverStream is null ? 0 : 1) + (request.CoverUrl is null ? 0 : 1);
        if (coverSources > 1)
        {
            throw new ArgumentException("Set one of CoverFilePath, CoverStream and CoverUrl, not several.", nameof(request));
        }

        if (request.CoverUrl is not null)
        {
            coverUrl = Sources.SourceUrl.Create(request.CoverUrl, Headers(request), nameof(VodUploadRequest.CoverUrl));
            coverType ??= ExtensionOf(coverUrl.FileName);
            if (string.IsNullOrWhiteSpace(coverType))
            {
                throw new ArgumentException($"The cover URL's last path segment ('{coverUrl.FileName}') has no extension to take the cover type from; set CoverType.", nameof(request));
            }
        }
        else if (request.CoverFilePath is not null)
        {
            coverPath = RequireFile(request.CoverFilePath, nameof(VodUploadRequest.CoverFilePath));
            coverType ??= ExtensionOf(coverPath);
            if (string.IsNullOrWhiteSpace(coverType))
            {
                throw new ArgumentException("The cover file name has no extension to take the cover type from; set CoverType.", nameof(request));
            }
        }
        else if (request.CoverStream is { } coverStream)
        {
            if (ReferenceEquals(coverStream, request.MediaStream))
            {
                throw new ArgumentException("CoverStream is the same stream as MediaStream; the media and the cover each need a stream of their own.", nameof(request));
            }

            if (!coverStream.CanRead)
            {
                throw new ArgumentException("CoverStream is not readable.", nameof(request));
            }

            if (string.IsNullOrWhiteSpace(coverType))
            {
                throw new ArgumentException("CoverType is required when the cover is a stream.", nameof(request));
            }
        }
        else if (coverType is not null)
        {
            throw new ArgumentException("CoverType is set but no cover is (CoverFilePath, CoverStream or CoverUrl); a cover type promises a cover.", nameof(request));
        }

        if (request.ExpireTime is not null && !IsIso8601WithZone(request.ExpireTime))
        {
            throw new ArgumentException("ExpireTime must be ISO 8601 with a zone, for example 2030-01-01T00:00:00Z.", nameof(request));
        }

        if (request.SourceContext is { Length: > MaxSourceContext })
        {
            throw new ArgumentException($"SourceContext is {request.SourceContext.Length} characters; at most {MaxSourceContext} are allowed.", nameof(request));
        }

        if (request.SessionContext is { Length: > MaxSessionContext })
        {
            throw new ArgumentException($"SessionContext is {request.SessionContext.Length} characters; at most {MaxSessionContext} are allowed.", nameof(request));
        }

        if (request.SubAppId is <= 0)
        {
            throw new ArgumentException("SubAppId must be positive.", nameof(request));
        }

        if (request.ClassId is < 0)
        {
            throw new ArgumentException("ClassId must not be negative.", nameof(request));
        }

        if (request.MediaStoragePath is { } storagePath && MediaStoragePathProblem(storagePath) is { } problem)
        {
            throw new ArgumentException(problem, nameof(request));
        }

        var concurrency = request.ConcurrentUploadNumber ?? transfer.Concurrency;
        if (request.ConcurrentUploadNumber is { } n)
        {
            TransferOptions.ValidateConcurrency(n, nameof(VodUploadRequest.ConcurrentUploadNumber));
        }

        var body = new ApplyUploadBody
        {
            MediaType = mediaType,
            SubAppId = request.SubAppId,
            MediaName = mediaName,
            CoverType = coverType,
            Procedure = request.Procedure,
            ExpireTime = request.ExpireTime,
            StorageRegion = request.StorageRegion,
            ClassId = request.ClassId,
            SourceContext = request.SourceContext,
            SessionContext = request.SessionContext,
            ExtInfo = request.ExtInfo,
            MediaStoragePath = request.MediaStoragePath,
        };

        return new ValidatedUpload(region.Trim(), mediaPath, request.MediaStream, mediaType, coverPath, request.CoverStream, body, concurrency, request.SubAppId) { MediaUrl = mediaUrl, CoverUrl = coverUrl };
    }

    /// <summary>
    /// Why a MediaStoragePath cannot be sent, or null when it can: VOD's rule (a leading '/') and COS's rules for the
    /// object key after it (not empty, no second leading '/' or '\', at most <see cref="MaxObjectKeyBytes"/> UTF-8
    /// bytes, no lone surrogate, none of U+0018–U+001B). Sources: spec/vod-upload-flow.md.
    /// </summary>
    public static string? MediaStoragePathProblem(string path)
    {
        if (!path.StartsWith('/'))
        {
            return "MediaStoragePath must start with '/', for example /dir1/video.mp4.";
        }

        var key = path.AsSpan(1);
        if (key.IsEmpty)
        {
            return "MediaStoragePath names no file after its '/' (for example /dir1/video.mp4).";
        }

        if (key[0] is '/' or '\\')
        {
            return "MediaStoragePath starts with '/' followed by '/' or '\\': the COS object key after the first '/' cannot start with either.";
        }

        var bytes = 0;
        for (var i = 0; i < key.Length;)
        {
            if (Rune.DecodeFromUtf16(key[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                return string.Create(CultureInfo.InvariantCulture, $"MediaStoragePath has a lone surrogate at character {i + 2}, so it has no UTF-8 form.");
            }

            if (rune.Value is >= 0x18 and <= 0x1B)
            {
                return string.Create(CultureInfo.InvariantCulture, $"MediaStoragePath contains the control character U+{rune.Value:X4}, which COS does not accept in object keys.");
            }

            bytes += rune.Utf8SequenceLength;
            i += consumed;
        }

        return bytes > MaxObjectKeyBytes
            ? string.Create(CultureInfo.InvariantCulture, $"MediaStoragePath is {bytes} bytes in UTF-8 after its leading '/'; a COS object key holds at most {MaxObjectKeyBytes}.")
            : null;
    }

    private static IReadOnlyDictionary<string, string>? Headers(VodUploadRequest request) =>
        request.SourceHeaders is null ? null : new Dictionary<string, string>(request.SourceHeaders, StringComparer.OrdinalIgnoreCase);

    /// <summary>ISO 8601 date and time with an explicit zone (Z or ±hh:mm), as VOD requires.</summary>
    public static bool IsIso8601WithZone(string value)
    {
        var zoned = value.EndsWith('Z') || (value.Length > 6 && value[^6] is '+' or '-' && value[^3] == ':');
        return zoned && DateTimeOffset.TryParseExact(value, ExpireTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }

    /// <summary>The extension without its dot, case kept, as Python's os.path.splitext takes it (a leading dot is not one).</summary>
    public static string? ExtensionOf(string path)
    {
        var name = Path.GetFileName(path);
        var firstNonDot = 0;
        while (firstNonDot < name.Length && name[firstNonDot] == '.')
        {
            firstNonDot++;
        }

        var dot = name.LastIndexOf('.');
        return dot > firstNonDot && dot < name.Length - 1 ? name[(dot + 1)..] : null;
    }

    /// <summary>The file name without the extension <see cref="ExtensionOf"/> finds.</summary>
    public static string StemOf(string path)
    {
        var name = Path.GetFileName(path);
        var extension = ExtensionOf(path);
        return extension is null ? name : name[..^(extension.Length + 1)];
    }

    private static string RequireFile(string path, string property)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"{property} is empty.", "request");
        }

        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new ArgumentException($"{property} names a directory, not a file: {path}", "request");
        }

        if (!File.Exists(full))
        {
            throw new ArgumentException($"{property} does not exist: {path}", "request");
        }

        if (FileKind.DescribeIfNotRegular(full) is { } kind)
        {
            throw new ArgumentException($"{property} is {kind}, not a regular file: {path}. To upload from a pipe, pass a MediaStream (the CLI reads standard input with '-').", "request");
        }

        return full;
    }
}

/// <summary>A request that passed validation, with everything derived.</summary>
internal sealed record ValidatedUpload(
    string Region,
    string? MediaPath,
    Stream? MediaStream,
    string MediaType,
    string? CoverPath,
    Stream? CoverStream,
    ApplyUploadBody ApplyBody,
    int? Concurrency,
    long? SubAppId)
{
    /// <summary>The media's URL, when it comes from one (<see cref="MediaPath"/> and <see cref="MediaStream"/> are then null).</summary>
    public Sources.SourceUrl? MediaUrl { get; init; }

    /// <summary>The cover's URL, when it comes from one.</summary>
    public Sources.SourceUrl? CoverUrl { get; init; }

    /// <summary>The media as messages name it: its full path, its URL as shown, or "-" for a stream.</summary>
    public string MediaDisplay => MediaPath ?? MediaUrl?.Display ?? "-";

    /// <summary>Whether a cover goes with the media (from a file, a stream or a URL).</summary>
    public bool HasCover => CoverPath is not null || CoverStream is not null || CoverUrl is not null;

    /// <summary>Whether any source is a stream: read once, so no checkpoint (it cannot be fingerprinted) and whole-part buffers.</summary>
    public bool HasStream => MediaStream is not null || CoverStream is not null;

    /// <summary>The parts in flight to plan for (checkpoint write spacing): the fixed setting, or where an adaptive one starts.</summary>
    public int PlannedConcurrency => Concurrency ?? TransferOptions.DefaultConcurrency;
}
