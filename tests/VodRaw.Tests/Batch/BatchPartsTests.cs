using System.Globalization;
using System.Text;
using VodRaw.Cli.Batch;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Batch;

public sealed class BatchPartsTests
{
    public static TheoryData<string> ShardVectors() => Vectors.Ids("batch-shard");

    [Theory]
    [MemberData(nameof(ShardVectors))]
    public void TheShardOfAKeyMatchesTheVector(string id)
    {
        var v = Vectors.Load("batch-shard").Single(x => x.GetProperty("id").GetString() == id);
        var key = v.GetProperty("key").GetString()!;
        Assert.Equal(v.GetProperty("fnv1a64").GetString(), Shard.Hash(key).ToString("x16", CultureInfo.InvariantCulture));
        foreach (var n in v.GetProperty("shards").EnumerateObject())
        {
            var count = int.Parse(n.Name, CultureInfo.InvariantCulture);
            var expected = n.Value.GetInt32();
            for (var i = 0; i < count; i++)
            {
                Assert.Equal(i == expected, new Shard(i, count).Takes(key));
            }
        }
    }

    [Theory]
    [InlineData("0/3", null, 0, 3)]
    [InlineData("2/3", null, 2, 3)]
    [InlineData("auto/8", "5", 5, 8)]
    public void AShardIsReadFromTheCommandLineOrTheJobIndex(string text, string? index, int expectedIndex, int expectedCount)
    {
        var shard = Shard.TryParse(text, name => name == Shard.IndexVariable ? index : null, out var error);
        Assert.Null(error);
        Assert.Equal(new Shard(expectedIndex, expectedCount), shard);
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/3")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("auto/3")]
    public void ABadShardIsRefusedWithAReason(string text)
    {
        Assert.Null(Shard.TryParse(text, _ => null, out var error));
        Assert.Contains("--shard", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.mp4", "a/b/c.mp4", true)]
    [InlineData("*.mp4", "c.mov", false)]
    [InlineData("a/*.mp4", "a/c.mp4", true)]
    [InlineData("a/*.mp4", "a/b/c.mp4", false)]
    [InlineData("a/**/*.mp4", "a/c.mp4", true)]
    [InlineData("a/**/*.mp4", "a/b/c/d.mp4", true)]
    [InlineData("**/raw/**", "x/raw/y.mp4", true)]
    [InlineData("incoming/**", "incoming/a b/c.mp4", true)]
    [InlineData("incoming/**", "other/incoming/c.mp4", false)]
    [InlineData("clip ?.mp4", "clip 1.mp4", true)]
    [InlineData("clip ?.mp4", "clip 12.mp4", false)]
    [InlineData("[a-c]*.mov", "beach.mov", true)]
    [InlineData("[!a-c]*.mov", "beach.mov", false)]
    [InlineData("夏天*", "集/夏天 1.mp4", true)]
    [InlineData("*.MP4", "a.mp4", false)]
    public void GlobsMatchAsDocumented(string pattern, string path, bool expected)
    {
        var glob = Glob.TryParse(pattern, out var error);
        Assert.Null(error);
        Assert.Equal(expected, glob!.IsMatch(path));
    }

    [Fact]
    public void ABackslashInAGlobOrAPathIsAnOrdinaryCharacterOffWindows()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // there it separates folders, as / does
        }

        var glob = Glob.TryParse("x\\y.mp4", out var error);
        Assert.Null(error);
        Assert.True(glob!.IsMatch("x\\y.mp4"));
        Assert.True(glob.IsMatch("deep/x\\y.mp4")); // no / in the pattern: it matches the name in any folder
        Assert.False(glob.IsMatch("x/y.mp4"));
        Assert.False(Glob.TryParse("x/*.mp4", out _)!.IsMatch("x\\y.mp4"));
    }

    [Fact]
    public void ATornLastLineIsCutOffWhenTheLogIsOpenedAgain()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vodraw-log-").FullName, "results.jsonl");
        File.WriteAllText(path, "{\"a\":1}\n{\"b\":2}\n{\"c\":", new UTF8Encoding(false));
        using (var log = JsonLinesLog.Open(path))
        {
            Assert.True(log.Repaired);
            Assert.Equal(["{\"a\":1}", "{\"b\":2}"], log.Lines);
            log.Append("{\"d\":4}");
        }

        Assert.Equal("{\"a\":1}\n{\"b\":2}\n{\"d\":4}\n", File.ReadAllText(path));
    }

    [Fact]
    public void ANewLogIsOwnerOnly()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vodraw-log-").FullName, "new.jsonl");
        using (JsonLinesLog.Open(path))
        {
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void ASecondProcessCannotOpenALogInUse()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vodraw-log-").FullName, "batch.journal");
        using var first = JsonLinesLog.Open(path);
        var e = Assert.Throws<JsonLinesLog.LockedException>(() => JsonLinesLog.Open(path));
        Assert.Contains("another vodraw", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheJournalKeepsTheLastStateOfEachFileAndSkipsUnreadableLines()
    {
        var directory = Directory.CreateTempSubdirectory("vodraw-journal-").FullName;
        var media = Path.Combine(directory, "a.mp4");
        File.WriteAllText(media, "x");
        var id = BatchJournal.IdOf("AKIDexample", "ap-guangzhou", new Uri("http://127.0.0.1:1/"), null, Shard.All);
        using (var journal = BatchJournal.Open(directory, id))
        {
            journal.Started(media, "a.mp4");
            journal.Failed(media, "a.mp4", "InternalError", "boom");
            journal.Committed(media, "a.mp4", new VodUploadResponse("5285890000000000001", "http://m/a.mp4", null, "req-1") { CheckpointId = "abc" }, FileStamp.Of(media));
        }

        File.AppendAllText(Path.Combine(directory, "batches", id + ".journal"), "{\"v\":1,\"state\":\"exploded\"}\n");
        using (var journal = BatchJournal.Open(directory, id))
        {
            Assert.Equal(1, journal.Unreadable);
            var latest = journal.Latest(media)!;
            Assert.Equal(BatchJournal.EntryState.Committed, latest.State);
            Assert.Equal("5285890000000000001", latest.FileId);
            Assert.Equal("abc", latest.CheckpointId);
            Assert.Equal(FileStamp.Of(media), new FileStamp(latest.Size, latest.LastWrite));
        }

        Assert.NotEqual(id, BatchJournal.IdOf("AKIDexample", "ap-guangzhou", new Uri("http://127.0.0.1:1/"), null, new Shard(0, 2)));
        Assert.NotEqual(id, BatchJournal.IdOf("AKIDother", "ap-guangzhou", new Uri("http://127.0.0.1:1/"), null, Shard.All));
    }

    [Fact]
    public void AJournalIdDoesNotDependOnHowTheEndpointIsSpelled()
    {
        static string Id(string endpoint) => BatchJournal.IdOf("AKIDexample", "ap-guangzhou", new Uri(endpoint), null, Shard.All);
        var id = Id("http://127.0.0.1:9000/");
        foreach (var alias in new[] { "http://localhost:9000/", "http://LOCALHOST:9000", "http://127.0.0.1:9000//", "http://[::1]:9000/", "http://127.0.0.2:9000/", "HTTP://127.0.0.1:9000" })
        {
            Assert.True(id == Id(alias), alias);
        }

        Assert.Equal(Id("https://vod.tencentcloudapi.com/"), Id("https://VOD.tencentcloudapi.com:443//"));
        Assert.NotEqual(id, Id("http://127.0.0.1:9001/"));
        Assert.NotEqual(id, Id("http://10.0.0.1:9000/"));
        Assert.NotEqual(id, Id("https://127.0.0.1:9000/"));
        Assert.NotEqual(id, Id("http://127.0.0.1:9000/vod/"));
    }
}
