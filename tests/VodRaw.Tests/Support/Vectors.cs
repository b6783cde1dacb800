using System.Text.Json;

namespace VodRaw.Tests.Support;

/// <summary>
/// Reads the known-answer vectors from spec/vectors (copied next to the test assembly). Every JSON file whose
/// top-level "kind" matches contributes its vectors, so adding a file adds test cases.
/// </summary>
internal static class Vectors
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "vectors");

    public static IReadOnlyList<JsonElement> Load(string kind)
    {
        var result = new List<JsonElement>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            if (doc.RootElement.TryGetProperty("kind", out var k) && k.GetString() == kind)
            {
                foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
                {
                    result.Add(v.Clone());
                }
            }
        }

        return result;
    }

    public static TheoryData<string> Ids(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var v in Load(kind))
        {
            data.Add(v.GetProperty("id").GetString()!);
        }

        return data;
    }

    public static JsonElement Get(string kind, string id) =>
        Load(kind).Single(v => v.GetProperty("id").GetString() == id);

    public static string? OptionalString(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
