using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

public sealed class StreamingManifestTests : IAsyncLifetime
{
    private UploadHarness _h = null!;

    public async Task InitializeAsync() => _h = await UploadHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task UploadsTheSampleHlsPackageWithEveryVariantAndSegment()
    {
        var master = Path.Combine(RepositoryRoot.Path, "samples", "hls", "master.m3u8");
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = master });

        Assert.False(string.IsNullOrEmpty(response.FileId)); // the emulator commits only when every referenced file exists
        var manifest = _h.MediaObject(response);
        var directory = manifest.Key[..(manifest.Key.LastIndexOf('/') + 1)];
        var keys = _h.Emulator.Objects.Select(o => o.Key).ToHashSet();
        foreach (var gear in new[] { "gear1", "gear2" })
        {
            Assert.Contains(directory + gear + "/prog_index.m3u8", keys);
            for (var i = 0; i < 4; i++)
            {
                var key = $"{directory}{gear}/fileSequence{i}.ts";
                Assert.Contains(key, keys);
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Path.GetDirectoryName(master)!, gear, $"fileSequence{i}.ts")), _h.Emulator.GetObject(manifest.Bucket, key)!.ReadAllBytes());
            }
        }

        Assert.Equal(11, _h.Emulator.Objects.Count);
        Assert.Equal(_h.Pool.Rents, _h.Pool.Returns);
    }

    [Fact]
    public async Task KeepsDeeperFoldersAndNonAsciiNamesAndKeyFiles()
    {
        var root = Path.Combine(_h.TempDirectory, "pkg");
        Write(root, "master.m3u8", "#EXTM3U\r\n#EXT-X-STREAM-INF:BANDWIDTH=1\r\ngear4/prog_index.m3u8\r\n");
        Write(root, "gear4/prog_index.m3u8", "\uFEFF#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\"\n#EXTINF:1,\ntest/fileSequence0.ts\n#EXTINF:1,\n中文 片段 1.ts\n#EXTINF:1,\ntest/fileSequence0.ts\n");
        Write(root, "gear4/key.bin", "0123456789abcdef");
        Write(root, "gear4/test/fileSequence0.ts", "segment zero");
        Write(root, "gear4/中文 片段 1.ts", "segment one");
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = Path.Combine(root, "master.m3u8") });

        var manifest = _h.MediaObject(response);
        var directory = manifest.Key[..(manifest.Key.LastIndexOf('/') + 1)];
        Assert.Equal("segment one", System.Text.Encoding.UTF8.GetString(_h.Emulator.GetObject(manifest.Bucket, directory + "gear4/中文 片段 1.ts")!.ReadAllBytes()));
        Assert.NotNull(_h.Emulator.GetObject(manifest.Bucket, directory + "gear4/test/fileSequence0.ts"));
        Assert.NotNull(_h.Emulator.GetObject(manifest.Bucket, directory + "gear4/key.bin"));
        Assert.Equal(5, _h.Emulator.Objects.Count); // the repeated segment is uploaded once
    }

    [Fact]
    public async Task UploadsADashPackage()
    {
        var root = Path.Combine(_h.TempDirectory, "dash");
        Write(root, "stream.mpd", """
            <?xml version="1.0"?>
            <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S">
              <Period><AdaptationSet><Representation id="v1" bandwidth="1000">
                <SegmentList duration="1"><Initialization sourceURL="v1/init.mp4"/>
                  <SegmentURL media="v1/seg1.m4s"/><SegmentURL media="v1/seg2.m4s"/></SegmentList>
              </Representation></AdaptationSet></Period>
            </MPD>
            """);
        Write(root, "v1/init.mp4", "init");
        Write(root, "v1/seg1.m4s", "one");
        Write(root, "v1/seg2.m4s", "two");
        using var client = _h.Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = Path.Combine(root, "stream.mpd") });
        Assert.False(string.IsNullOrEmpty(response.FileId));
        Assert.Equal(4, _h.Emulator.Objects.Count);
    }

    [Fact]
    public async Task ReportsEveryViolationTogetherBeforeApplyingForTheUpload()
    {
        var root = Path.Combine(_h.TempDirectory, "hostile");
        Write(root, "master.m3u8", "#EXTM3U\n../secret.ts\nhttps://cdn.example.com/a.ts\n/etc/passwd\n%2e%2e/secret.ts\nmissing.ts\nok.ts\nlink.ts\n");
        Write(root, "ok.ts", "fine");
        Write(_h.TempDirectory, "secret.ts", "outside");
        File.CreateSymbolicLink(Path.Combine(root, "link.ts"), Path.Combine(_h.TempDirectory, "secret.ts"));
        using var client = _h.Client();

        var error = await Assert.ThrowsAsync<ManifestException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = Path.Combine(root, "master.m3u8") }));

        Assert.Equal(6, error.Violations.Count);
        Assert.Contains(error.Violations, v => v.Contains("'../secret.ts'", StringComparison.Ordinal));
        Assert.Contains(error.Violations, v => v.Contains("URL", StringComparison.Ordinal));
        Assert.Contains(error.Violations, v => v.Contains("absolute", StringComparison.Ordinal));
        Assert.Contains(error.Violations, v => v.Contains("'%2e%2e/secret.ts'", StringComparison.Ordinal));
        Assert.Contains(error.Violations, v => v.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(error.Violations, v => v.Contains("symbolic link", StringComparison.Ordinal));
        Assert.Empty(_h.Emulator.Requests); // the local check runs before ParseStreamingManifest too
    }

    [Fact]
    public async Task ASegmentThatKeepsFailingIsNamedAndNothingIsCommitted()
    {
        var manifest = ManifestFixture.Get("hls-master").Materialize(_h.TempDirectory);
        _h.Emulator.Faults.Add(new FaultRule { Operation = EmulatorOperation.PutObject, Kind = FaultKind.Fail, Status = 403, Code = "AccessDenied", KeySuffix = "gear1/fileSequence1.ts" });
        using var client = _h.Client();

        var error = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest }));

        Assert.EndsWith("gear1/fileSequence1.ts", error.Key, StringComparison.Ordinal);
        Assert.Contains("gear1/fileSequence1.ts", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.Emulator.Requests, r => r.Operation == EmulatorOperation.CommitUpload);
    }

    [Fact]
    public async Task ProgressCountsEveryFileOfThePackage()
    {
        var fixture = ManifestFixture.Get("dash-template");
        var manifest = fixture.Materialize(_h.TempDirectory);
        var directory = Path.GetDirectoryName(manifest)!;
        var total = new FileInfo(manifest).Length + fixture.ExpectedFiles.Sum(f => new FileInfo(Path.Combine(directory, f)).Length);
        var reports = new List<UploadProgress>();
        using var client = _h.Client(o => o.ProgressInterval = TimeSpan.Zero);

        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest }, new SynchronousProgress<UploadProgress>(p => { lock (reports) { reports.Add(p); } }));

        var last = reports[^1];
        Assert.Equal(UploadPhase.Completed, last.Phase);
        Assert.Equal(1 + fixture.ExpectedFiles.Count, last.FilesTotal);
        Assert.Equal(last.FilesTotal, last.FilesCompleted);
        Assert.Equal(total, last.TotalBytes);
        Assert.Equal(total, last.BytesUploaded);
        Assert.All(reports.Where(r => r.Phase == UploadPhase.Uploading), r => Assert.Equal(total, r.TotalBytes));
    }

    public static TheoryData<string, ManifestDiscovery> ValidFixtures => InBothModes(hostile: false);

    public static TheoryData<string, ManifestDiscovery> HostileFixtures => InBothModes(hostile: true);

    [Theory]
    [MemberData(nameof(ValidFixtures))]
    public async Task UploadsEveryFixturePackageWithEitherDiscovery(string id, ManifestDiscovery discovery)
    {
        var fixture = ManifestFixture.Get(id);
        var manifest = fixture.Materialize(_h.TempDirectory);
        using var client = _h.Client(o => o.ManifestDiscovery = discovery);

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest });

        // The emulator commits only when every file the uploaded manifests reference exists, so a FileId is already a check.
        var media = _h.MediaObject(response);
        var directory = media.Key[..(media.Key.LastIndexOf('/') + 1)];
        var expected = fixture.ExpectedFiles.Select(f => directory + f).Append(media.Key).Order(StringComparer.Ordinal);
        Assert.Equal(expected, _h.Emulator.Objects.Select(o => o.Key).Order(StringComparer.Ordinal));
        foreach (var file in fixture.ExpectedFiles)
        {
            var local = Path.Combine(Path.GetDirectoryName(manifest)!, file.Replace('/', Path.DirectorySeparatorChar));
            Assert.Equal(await File.ReadAllBytesAsync(local), _h.Emulator.GetObject(media.Bucket, directory + file)!.ReadAllBytes());
        }

        var parseCalls = _h.Emulator.Requests.Count(r => r.Operation == EmulatorOperation.ParseStreamingManifest);
        var manifests = 1 + fixture.ExpectedFiles.Count(f => f.EndsWith(".m3u8", StringComparison.Ordinal) || f.EndsWith(".mpd", StringComparison.Ordinal));
        Assert.Equal(discovery == ManifestDiscovery.Service ? manifests : 0, parseCalls);
    }

    [Theory]
    [MemberData(nameof(HostileFixtures))]
    public async Task EveryHostileFixtureFailsBeforeTheNetwork(string id, ManifestDiscovery discovery)
    {
        var fixture = ManifestFixture.Get(id);
        var manifest = fixture.Materialize(_h.TempDirectory);
        using var client = _h.Client(o => o.ManifestDiscovery = discovery);

        var error = await Assert.ThrowsAsync<ManifestException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest }));

        Assert.Equal(fixture.ExpectedViolations.Count, error.Violations.Count);
        Assert.Empty(_h.Emulator.Requests);
    }

    private static TheoryData<string, ManifestDiscovery> InBothModes(bool hostile)
    {
        var data = new TheoryData<string, ManifestDiscovery>();
        foreach (var id in ManifestFixture.Ids(hostile))
        {
            data.Add(id, ManifestDiscovery.Service);
            data.Add(id, ManifestDiscovery.Local);
        }

        return data;
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
