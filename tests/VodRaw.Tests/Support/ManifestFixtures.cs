using System.Text;
using System.Text.Json;

namespace VodRaw.Tests.Support;

/// <summary>
/// The package fixtures of spec/vectors/manifests.json, copied to a temporary folder per use so that the test-only
/// setup (symbolic links that leave the folder, generated oversized files) never touches the repository.
/// </summary>
internal sealed class ManifestFixture
{
    private ManifestFixture(JsonElement vector) => Vector = vector;

    public JsonElement Vector { get; }

    public string Id => Vector.GetProperty("id").GetString()!;

    public string Type => Vector.GetProperty("type").GetString()!;

    /// <summary>The manifest's path inside spec/vectors (read-only use).</summary>
    public string SourceManifest => Path.Combine(Vectors.Directory, Vector.GetProperty("manifest").GetString()!);

    public bool IsHostile => Vector.TryGetProperty("violations", out _);

    public IReadOnlyList<string> ExpectedParse => Strings("parse");

    public IReadOnlyList<string> ExpectedFiles => Strings("files");

    public IReadOnlyList<string> ExpectedViolations => Strings("violations");

    public static ManifestFixture Get(string id) => new(Vectors.Get("manifests", id));

    public static TheoryData<string> Ids(bool hostile)
    {
        var data = new TheoryData<string>();
        foreach (var v in Vectors.Load("manifests"))
        {
            if (v.TryGetProperty("violations", out _) == hostile)
            {
                data.Add(v.GetProperty("id").GetString()!);
            }
        }

        return data;
    }

    /// <summary>Copies the fixture's folder under <paramref name="parent"/>, applies its setup, returns the manifest's path.</summary>
    public string Materialize(string parent)
    {
        var sourceDirectory = Path.GetDirectoryName(SourceManifest)!;
        var target = Path.Combine(parent, Id, "package");
        CopyDirectory(sourceDirectory, target);
        if (Vector.TryGetProperty("setup", out var setup))
        {
            if (setup.TryGetProperty("outsideFiles", out var outside))
            {
                foreach (var f in outside.EnumerateArray())
                {
                    var path = Path.Combine(parent, Id, f.GetString()!);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllText(path, "outside the package");
                }
            }

            if (setup.TryGetProperty("symlinks", out var links))
            {
                foreach (var link in links.EnumerateArray())
                {
                    var path = Path.Combine(target, link.GetProperty("path").GetString()!);
                    var pointsTo = Path.GetFullPath(Path.Combine(target, link.GetProperty("target").GetString()!));
                    if (Directory.Exists(pointsTo))
                    {
                        Directory.CreateSymbolicLink(path, pointsTo);
                    }
                    else
                    {
                        File.CreateSymbolicLink(path, pointsTo);
                    }
                }
            }

            if (setup.TryGetProperty("generate", out var generate))
            {
                var path = Path.Combine(target, generate.GetProperty("path").GetString()!);
                using var file = File.Create(path);
                file.Write(Encoding.UTF8.GetBytes(generate.GetProperty("header").GetString()!));
                var chunk = new byte[1 << 20];
                Array.Fill(chunk, (byte)'a');
                for (var left = generate.GetProperty("lineBytes").GetInt64(); left > 0; left -= chunk.Length)
                {
                    file.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
                }
            }
        }

        return Path.Combine(target, Path.GetFileName(SourceManifest));
    }

    private IReadOnlyList<string> Strings(string name) =>
        Vector.TryGetProperty(name, out var p) ? [.. p.EnumerateArray().Select(e => e.GetString()!)] : [];

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
