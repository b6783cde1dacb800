using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using VodRaw.Checkpoints;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

[CollectionDefinition(nameof(CrashResumeCollection), DisableParallelization = true)]
public sealed class CrashResumeCollection;

/// <summary>One 100 MiB file of random bytes for every crash run.</summary>
public sealed class CrashMediaFixture : IDisposable
{
    public const int PartSize = 1024 * 1024;

    public CrashMediaFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("vodraw-crash-").FullName;
        MediaPath = Path.Combine(Directory, "big.mp4");
        var content = new byte[(100 * PartSize) + 12345];
        new Random(20261202).NextBytes(content);
        File.WriteAllBytes(MediaPath, content);
        Length = content.Length;
        Sha256 = SHA256.HashData(content);
    }

    public string Directory { get; }

    public string MediaPath { get; }

    public long Length { get; }

    public byte[] Sha256 { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>
/// The CLI as a real process, killed with SIGKILL at moments spread over a 100 MiB multipart upload (latency
/// injected so a run lasts seconds), then run again with the same command: it must end committed, byte-identical,
/// with exactly one session committed, no multipart upload open, and at most concurrency × part size re-sent.
/// </summary>
[Collection(nameof(CrashResumeCollection))]
public sealed class CrashResumeTests(CrashMediaFixture media) : IClassFixture<CrashMediaFixture>
{
    private const int Concurrency = 4;
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(40);

    public static TheoryData<int> KillPoints()
    {
        // The emulator sees about 104 requests per run (ApplyUpload, Initiate, 101 parts, Complete, Commit):
        // kill after the n-th, from right after ApplyUpload to during Complete/Commit.
        var data = new TheoryData<int>();
        foreach (var n in new[] { 1, 2, 3, 8, 14, 20, 27, 33, 40, 46, 52, 58, 64, 70, 77, 83, 89, 95, 100, 103 })
        {
            data.Add(n);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task AKilledUploadResumesToExactlyOneIntactCommit(int killAfterRequests)
    {
        await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { Latency = TimeSpan.FromMilliseconds(25) });
        var checkpoints = Path.Combine(media.Directory, "state-" + killAfterRequests);
        var args = UploadArgs(emulator, media.MediaPath, checkpoints);

        using (var first = CliProcess.Start(emulator, args))
        {
            var killed = await first.KillAfterAsync(() => emulator.Requests.Count >= killAfterRequests, RunLimit);
            if (!killed)
            {
                // The run finished before the kill point: nothing to resume, and it committed once.
                Assert.Equal(0, first.ExitCode);
                Assert.Equal(1, emulator.CommittedSessions);
                return;
            }
        }

        await CliProcess.QuietAsync(emulator);
        var confirmed = emulator.Requests.Where(r => r.Operation == EmulatorOperation.UploadPart && r.Status == 200 && r.ErrorCode is null)
            .Select(r => r.PartNumber).Distinct().Count();
        emulator.ClearRequests();

        using var second = CliProcess.Start(emulator, args);
        var (code, output, error) = await second.WaitAsync(RunLimit);
        Assert.True(code == 0, $"exit {code}: {error}");
        using var result = JsonDocument.Parse(output);
        Assert.False(string.IsNullOrEmpty(result.RootElement.GetProperty("fileId").GetString()));

        var stored = Assert.Single(emulator.Objects, o => o.Length == media.Length);
        using (var read = stored.OpenRead())
        {
            Assert.Equal(media.Sha256, await SHA256.HashDataAsync(read));
        }

        Assert.Equal(1, emulator.CommittedSessions);
        Assert.Equal(0, emulator.PendingMultipartUploads);
        var resent = emulator.Requests.Where(r => r.Operation is EmulatorOperation.UploadPart or EmulatorOperation.PutObject).Sum(r => r.BodyBytes);
        var notConfirmed = media.Length - ((long)confirmed * CrashMediaFixture.PartSize);
        Assert.True(resent <= notConfirmed + (Concurrency * (long)CrashMediaFixture.PartSize),
            $"the second run sent {resent} bytes; {notConfirmed} were not confirmed when the first was killed");
        // The CLI keeps the committed upload's record (no parts, no credential): a re-run answers with its FileId.
        var record = Assert.Single(new CheckpointStore(checkpoints).List());
        Assert.Equal(Assert.Single(emulator.CommittedMedia).FileId, record.CommittedFileId);
    }

    [Fact]
    public async Task CtrlCPausesAndTheSameCommandResumes()
    {
        await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { Latency = TimeSpan.FromMilliseconds(25) });
        var checkpoints = Path.Combine(media.Directory, "state-sigint");
        var args = UploadArgs(emulator, media.MediaPath, checkpoints);

        // Part 22 is held back (10 s), so the upload cannot finish before the signal lands, however fast it runs.
        emulator.Faults.Delay(EmulatorOperation.UploadPart, TimeSpan.FromSeconds(10), partNumber: 22);
        using (var first = CliProcess.Start(emulator, args))
        {
            await first.WaitUntilAsync(() => emulator.Requests.Count(r => r.Operation == EmulatorOperation.UploadPart) >= 20, RunLimit);
            first.Interrupt();
            var (code, output, error) = await first.WaitAsync(RunLimit);
            Assert.Equal(130, code);
            Assert.Contains("paused", error, StringComparison.Ordinal);
            Assert.Contains("run the same command again", error, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(output);
            Assert.Equal("Paused", json.RootElement.GetProperty("error").GetProperty("outcome").GetString());
            Assert.Equal(1, emulator.PendingMultipartUploads);
            Assert.Empty(emulator.AbortedUploads);
        }

        using var second = CliProcess.Start(emulator, args);
        var (again, _, log) = await second.WaitAsync(RunLimit);
        Assert.Equal(0, again);
        Assert.Contains("resuming: ", log, StringComparison.Ordinal);
        Assert.Equal(1, emulator.CommittedSessions);
        Assert.Equal(0, emulator.PendingMultipartUploads);
    }

    [Fact]
    public async Task AKilledHlsPackageDoesNotSendCompletedSegmentsAgain()
    {
        await using var emulator = await VodEmulator.StartAsync(new VodEmulatorOptions { Latency = TimeSpan.FromMilliseconds(25) });
        var package = Path.Combine(media.Directory, "hls");
        Directory.CreateDirectory(package);
        var playlist = new System.Text.StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n");
        var random = new Random(7);
        for (var i = 0; i < 60; i++)
        {
            var segment = new byte[256 * 1024];
            random.NextBytes(segment);
            File.WriteAllBytes(Path.Combine(package, $"s{i:D3}.ts"), segment);
            playlist.Append("#EXTINF:4.0,\n").Append($"s{i:D3}.ts\n");
        }

        File.WriteAllText(Path.Combine(package, "index.m3u8"), playlist.Append("#EXT-X-ENDLIST\n").ToString());
        var checkpoints = Path.Combine(media.Directory, "state-hls");
        var args = UploadArgs(emulator, Path.Combine(package, "index.m3u8"), checkpoints, "--local-manifests");

        using (var first = CliProcess.Start(emulator, args))
        {
            var killed = await first.KillAfterAsync(() => emulator.Requests.Count(r => r.Operation == EmulatorOperation.PutObject) >= 30, RunLimit);
            Assert.True(killed, "the first run ended before the kill: " + (await first.WaitAsync(RunLimit)).Error);
        }

        var document = CheckpointCodec.Decode(File.ReadAllBytes(Directory.GetFiles(checkpoints, "*.checkpoint").Single())).Document!;
        var completeKeys = document.Files.Where(f => f.Complete).Select(f => f.Key).ToHashSet();
        Assert.NotEmpty(completeKeys);
        await CliProcess.QuietAsync(emulator);
        emulator.ClearRequests();

        using var second = CliProcess.Start(emulator, args);
        var (code, _, error) = await second.WaitAsync(RunLimit);
        Assert.True(code == 0, error);
        var sentAgain = emulator.Requests.Where(r => r.Operation == EmulatorOperation.PutObject).Select(r => r.Target).ToList();
        Assert.DoesNotContain(sentAgain, target => completeKeys.Any(key => target.EndsWith(key, StringComparison.Ordinal)));
        Assert.True(sentAgain.Count <= 61 - completeKeys.Count);
        Assert.Equal(1, emulator.CommittedSessions);
        Assert.Equal(61, emulator.Objects.Count);
    }

    private static List<string> UploadArgs(VodEmulator emulator, string path, string checkpoints, params string[] more) =>
    [
        "upload", path, "--region", "ap-guangzhou", "--vod-endpoint", emulator.VodEndpoint.ToString(), "--cos-endpoint", emulator.CosEndpoint + "{bucket}",
        "--checkpoint-dir", checkpoints, "--part-size", "1MiB", "--concurrency", Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--quiet", .. more,
    ];
}
