using System.Text.Json;
using VodRaw.Cli;
using VodRaw.Emulator;

namespace VodRaw.Tests.Batch;

/// <summary>How a batch walks a folder and names what it finds: symbolic links (loops, two names for one folder or file), backslashes.</summary>
public sealed class BatchWalkTests : IAsyncLifetime
{
    private VodEmulator _emulator = null!;
    private string _root = null!;

    public async Task InitializeAsync()
    {
        _emulator = await VodEmulator.StartAsync();
        _root = Directory.CreateTempSubdirectory("vodraw-batch-walk-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private string Library => Path.Combine(_root, "library");

    private string Checkpoints => Path.Combine(_root, "state");

    private string ResultsPath => Path.Combine(_root, "results.jsonl");

    private void Write(string relative, string content = "media bytes")
    {
        var path = Path.Combine(Library, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content + relative);
    }

    /// <summary>
    /// library/top.mp4, a/one.mp4, a/loop → .. (the library again), b/two.mp4, a-second-name → b (a name that sorts
    /// before b's own), top-again.mp4 → top.mp4 (a second name for a file), and outside → ../elsewhere (a folder
    /// outside the library) with three.mp4.
    /// </summary>
    private void LinkedTree()
    {
        Write("top.mp4");
        Write("a/one.mp4");
        Write("b/two.mp4");
        Directory.CreateSymbolicLink(Path.Combine(Library, "a", "loop"), "..");
        Directory.CreateSymbolicLink(Path.Combine(Library, "a-second-name"), "b");
        File.CreateSymbolicLink(Path.Combine(Library, "top-again.mp4"), "top.mp4");
        var elsewhere = Path.Combine(_root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "three.mp4"), "outside");
        Directory.CreateSymbolicLink(Path.Combine(Library, "outside"), Path.Combine("..", "elsewhere"));
    }

    [Fact]
    public async Task ALinkLoopAndASecondNameForAFolderCommitEachFileOnce()
    {
        LinkedTree();

        var (code, output, error) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [Library], "--recursive", "--results", ResultsPath, "--json"));

        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(4, _emulator.CommittedSessions);
        var keys = BatchCli.Lines(ResultsPath).Select(l => l.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "a/one.mp4", "b/two.mp4", "outside/three.mp4", "top.mp4" }.Select(k => Library + "/" + k), keys);
        Assert.Equal(4, JsonDocument.Parse(output).RootElement.GetProperty("batch").GetProperty("committed").GetInt32());
    }

    [Fact]
    public async Task NoFollowLinksLeavesLinkedFoldersOut()
    {
        LinkedTree();

        var (code, output, error) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [Library], "--recursive", "--no-follow-links", "--dry-run", "--json"));

        Assert.True(code == ExitCodes.Ok, error);
        var keys = JsonDocument.Parse(output).RootElement.GetProperty("dryRun").GetProperty("media").EnumerateArray()
            .Select(m => m.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "a/one.mp4", "b/two.mp4", "top.mp4" }.Select(k => Library + "/" + k), keys);
        Assert.Empty(_emulator.Requests);
    }

    [Fact]
    public async Task ABackslashInAFileNameIsPartOfTheNameNotAFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // a Windows name cannot hold a backslash
        }

        Write("x\\y.mp4", "one");
        Write("x/y.mp4", "two");

        var (code, _, error) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [Library], "--recursive", "--results", ResultsPath));

        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(2, _emulator.CommittedSessions);
        var lines = BatchCli.Lines(ResultsPath);
        Assert.Equal([Library + "/x/y.mp4", Library + "/x\\y.mp4"], lines.Select(l => l.GetProperty("key").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal([Path.Combine(Library, "x", "y.mp4"), Path.Combine(Library, "x\\y.mp4")], lines.Select(l => l.GetProperty("path").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ABackslashInAListedPathStaysInItsKey()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Write("x\\y.mp4", "one");
        Write("x/y.mp4", "two");
        var list = Path.Combine(_root, "media.jsonl");
        File.WriteAllLines(list, ["""{"MediaFilePath": "library/x\\y.mp4"}""", """{"MediaFilePath": "library/x/y.mp4"}"""]);

        var (code, _, error) = await BatchCli.RunAsync(_emulator, BatchCli.Upload(_emulator, Checkpoints, [], "--from-list", list, "--results", ResultsPath));

        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(2, _emulator.CommittedSessions);
        Assert.Equal(["library/x/y.mp4", "library/x\\y.mp4"], BatchCli.Lines(ResultsPath).Select(l => l.GetProperty("key").GetString()!).Order(StringComparer.Ordinal));
    }
}
