using System.Globalization;
using System.Text.Json;

namespace VodRaw.Cli.Batch;

/// <summary>
/// <c>--from-list FILE</c>: JSON Lines, one object per media with VodUploadRequest's fields by name (MediaFilePath
/// or MediaUrl required, one of them; CoverFilePath or CoverUrl, MediaName, MediaType, CoverType, Procedure, ClassId,
/// ExpireTime, SourceContext, SessionContext, SubAppId, StorageRegion, ExtInfo, MediaStoragePath; names
/// case-insensitive, camelCase too). Relative paths are relative to the list file's folder. Blank lines and lines
/// starting with # are skipped. A field not given takes the command line's option (MediaStoragePath names one media,
/// so it has none). Two lines that store media at one MediaStoragePath of one sub-application are refused, every line
/// of the file counted (shards too). Every bad line is reported with its number; nothing is read from a bad line.
/// </summary>
internal static class ListFile
{
    private static readonly string[] Fields =
    [
        "MediaFilePath", "MediaUrl", "CoverFilePath", "CoverUrl", "MediaName", "MediaType", "CoverType", "Procedure", "ClassId", "ExpireTime",
        "SourceContext", "SessionContext", "SubAppId", "StorageRegion", "ExtInfo", "MediaStoragePath",
    ];

    public static (List<BatchItem> Items, List<string> Problems) Read(string path, VodUploadRequest defaults)
    {
        var items = new List<BatchItem>();
        var problems = new List<string>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"--from-list {path}: cannot be read ({e.Message}).");
            return (items, problems);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }

            var where = $"{Path.GetFileName(path)} line {i + 1}";
            try
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{where}: not a JSON object.");
                    continue;
                }

                if (Item(json.RootElement, defaults, folder, i + 1, out var problem) is { } item)
                {
                    items.Add(item);
                }
                else
                {
                    problems.Add($"{where}: {problem}");
                }
            }
            catch (JsonException e)
            {
                problems.Add($"{where}: not valid JSON ({e.Message.Split(" Path:", 2)[0]}).");
            }
        }

        // One path holds one media: a second line for it would land on the first's.
        var stored = new Dictionary<(long? SubAppId, string Path), int>();
        foreach (var item in items)
        {
            if (item.Request.MediaStoragePath is { } storagePath && !stored.TryAdd((item.Request.SubAppId, storagePath), item.Line!.Value))
            {
                var subApp = item.Request.SubAppId is { } id ? string.Create(CultureInfo.InvariantCulture, $" of sub-application {id}") : string.Empty;
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{Path.GetFileName(path)} line {item.Line}: MediaStoragePath {storagePath}{subApp} is already given on line {stored[(item.Request.SubAppId, storagePath)]}; one path holds one media."));
            }
        }

        if (items.Count == 0 && problems.Count == 0)
        {
            problems.Add($"--from-list {path}: no media listed.");
        }

        return (items, problems);
    }

    private static BatchItem? Item(JsonElement line, VodUploadRequest defaults, string folder, int number, out string? problem)
    {
        problem = null;
        var values = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in line.EnumerateObject())
        {
            var name = Array.Find(Fields, f => string.Equals(f, property.Name, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                problem = $"unknown field \"{property.Name}\" (known: {string.Join(", ", Fields)}).";
                return null;
            }

            values[name] = property.Value;
        }

        string? Text(string field)
        {
            if (!values.TryGetValue(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"\"{field}\" must be a string.");
            }

            return v.GetString();
        }

        Uri? Url(string field)
        {
            var text = Text(field);
            if (text is null)
            {
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new FormatException($"\"{field}\" must be an absolute http or https URL.");
            }

            return url;
        }

        long? Number(string field)
        {
            if (!values.TryGetValue(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n))
            {
                throw new FormatException($"\"{field}\" must be a whole number.");
            }

            return n;
        }

        try
        {
            var media = Text("MediaFilePath");
            var mediaUrl = Url("MediaUrl");
            if (string.IsNullOrWhiteSpace(media) == (mediaUrl is null))
            {
                problem = mediaUrl is null ? "\"MediaFilePath\" (or \"MediaUrl\") is required." : "give \"MediaFilePath\" or \"MediaUrl\", not both.";
                return null;
            }

            var cover = Text("CoverFilePath");
            var coverUrl = Url("CoverUrl");
            if (cover is not null && coverUrl is not null)
            {
                problem = "give \"CoverFilePath\" or \"CoverUrl\", not both.";
                return null;
            }

            var request = new VodUploadRequest
            {
                MediaFilePath = mediaUrl is null ? Path.GetFullPath(media!, folder) : null,
                MediaUrl = mediaUrl,
                CoverUrl = coverUrl,
                SourceHeaders = defaults.SourceHeaders,
                CoverFilePath = coverUrl is not null ? null : cover is null ? defaults.CoverFilePath : Path.GetFullPath(cover, folder),
                MediaName = Text("MediaName") ?? defaults.MediaName,
                MediaType = Text("MediaType") ?? defaults.MediaType,
                CoverType = Text("CoverType") ?? defaults.CoverType,
                Procedure = Text("Procedure") ?? defaults.Procedure,
                ClassId = Number("ClassId") ?? defaults.ClassId,
                ExpireTime = Text("ExpireTime") ?? defaults.ExpireTime,
                SourceContext = Text("SourceContext") ?? defaults.SourceContext,
                SessionContext = Text("SessionContext") ?? defaults.SessionContext,
                SubAppId = Number("SubAppId") ?? defaults.SubAppId,
                StorageRegion = Text("StorageRegion") ?? defaults.StorageRegion,
                ExtInfo = Text("ExtInfo") ?? defaults.ExtInfo,
                MediaStoragePath = Text("MediaStoragePath"),
                ConcurrentUploadNumber = defaults.ConcurrentUploadNumber,
            };
            return new BatchItem(mediaUrl is null ? Slashes.Of(media!) : VodRaw.Sources.SourceUrl.IdentityOf(mediaUrl), request, number);
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return null;
        }
    }
}
