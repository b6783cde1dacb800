using System.Globalization;

namespace VodRaw.Tests.Batch;

/// <summary>
/// A media library as a migration finds it: 229 files in nested folders, names with spaces and CJK, 180 small
/// media files, two sparse ones, two HLS packages (manifest and 10 segments each), covers beside ten media, and
/// files that are not media or are excluded. 184 media in all.
/// </summary>
internal sealed class BatchTree : IDisposable
{
    public const int SmallMedia = 180;
    public const int Covers = 10;
    public const int ExpectedMedia = SmallMedia + 2 + 2;

    public BatchTree(long sparseLength = 3L << 20)
    {
        Root = Directory.CreateTempSubdirectory("vodraw-batch-tree-").FullName;
        Library = Path.Combine(Root, "library");
        var random = new Random(1202);
        for (var i = 0; i < SmallMedia; i++)
        {
            var folder = (i % 4) switch
            {
                0 => "",
                1 => "2024/01",
                2 => "夏天 合集/第一季",
                _ => "deep/a/b/c/d",
            };
            var name = (i % 3) switch
            {
                0 => string.Create(CultureInfo.InvariantCulture, $"clip {i:000}.mp4"),
                1 => string.Create(CultureInfo.InvariantCulture, $"海边 {i:000}.mov"),
                _ => string.Create(CultureInfo.InvariantCulture, $"talk-{i:000}.mp3"),
            };
            var bytes = new byte[100 + random.Next(4000)];
            random.NextBytes(bytes);
            Write(Path.Combine(folder, name), bytes);
            if (i < Covers)
            {
                Write(Path.Combine(folder, Path.GetFileNameWithoutExtension(name) + ".jpg"), [0xFF, 0xD8, 0xFF, (byte)i]);
            }
        }

        foreach (var name in new[] { "big one.mp4", "大文件.mkv" })
        {
            using var sparse = File.Create(Path.Combine(Library, name));
            sparse.SetLength(sparseLength);
        }

        foreach (var package in new[] { "hls/show one", "hls/节目二" })
        {
            var lines = new List<string> { "#EXTM3U", "#EXT-X-TARGETDURATION:4" };
            for (var s = 0; s < 10; s++)
            {
                lines.Add("#EXTINF:4,");
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"seg {s}.ts"));
                var segment = new byte[500 + s];
                random.NextBytes(segment);
                Write(Path.Combine(package, string.Create(CultureInfo.InvariantCulture, $"seg {s}.ts")), segment);
            }

            lines.Add("#EXT-X-ENDLIST");
            Write(Path.Combine(package, "index.m3u8"), System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        }

        for (var i = 0; i < 10; i++)
        {
            Write(string.Create(CultureInfo.InvariantCulture, $"incoming/upload {i}.partial.mp4"), [1, 2, 3]);
        }

        for (var i = 0; i < 5; i++)
        {
            Write(string.Create(CultureInfo.InvariantCulture, $"docs/notes {i}.txt"), [65]);
        }

        FileCount = Directory.GetFiles(Library, "*", SearchOption.AllDirectories).Length;
    }

    public string Root { get; }

    public string Library { get; }

    public int FileCount { get; }

    /// <summary>The options that select the 184 media.</summary>
    public static string[] Selection => ["--recursive", "--exclude", "*.partial.mp4", "--cover-pattern", "{stem}.jpg"];

    private void Write(string relative, byte[] content)
    {
        var path = Path.Combine(Library, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
