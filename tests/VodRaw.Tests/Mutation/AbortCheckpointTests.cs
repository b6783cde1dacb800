using System.Collections.Concurrent;
using VodRaw.Checkpoints;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Mutation;

/// <summary>
/// Giving a checkpoint up (<see cref="VodUploadClient.AbortCheckpointAsync(string, bool, CancellationToken)"/>): what
/// each refusal says, an abort COS refuses, a credential that expired (exactly now, or never), and a cancel that
/// comes first. The checkpoint comes from an upload refused for good at its third part.
/// </summary>
public sealed class AbortCheckpointTests : IAsyncLifetime
{
    private const int PartSize = 1024 * 1024;
    private UploadHarness _h = null!;
    private string _media = null!;
    private string _checkpoints = null!;
    private readonly ConcurrentQueue<CheckpointNotice> _notices = new();

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync();
        (_media, _) = _h.File("clip.mp4", (4 * PartSize) + 5);
        _checkpoints = Path.Combine(_h.TempDirectory, "state");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private CheckpointStore Store() => new(_checkpoints) { Notice = _notices.Enqueue };

    private VodUploadClient Client(Action<VodUploadClientOptions>? configure = null, VodCredential? credential = null) => _h.Client(o =>
    {
        o.Checkpoints = Store();
        o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 1 };
        configure?.Invoke(o);
    }, credential);

    private string CheckpointPath(string id) => Path.Combine(_checkpoints, id + ".checkpoint");

    private void EditCheckpoint(string id, Action<CheckpointDocument> edit)
    {
        var (document, problem) = CheckpointCodec.Decode(File.ReadAllBytes(CheckpointPath(id)));
        Assert.Null(problem);
        edit(document!);
        File.WriteAllBytes(CheckpointPath(id), CheckpointCodec.Encode(document!));
    }

    /// <summary>An upload refused for good at part 3: its checkpoint and its open multipart upload stay.</summary>
    private async Task<string> InterruptedAsync()
    {
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 400, "BadDigest", partNumber: 3, times: 100);
        using var client = Client();
        var failed = await Assert.ThrowsAsync<CosException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = _media }));
        _h.Emulator.Faults.Clear();
        _h.Emulator.ClearRequests();
        Assert.Equal(1, _h.Emulator.PendingMultipartUploads);
        return failed.CheckpointId!;
    }

    [Fact]
    public async Task AnAbortCosRefusesIsReturnedAndTheCheckpointKeptToTryAgain()
    {
        var id = await InterruptedAsync();
        var upload = Assert.Single(_h.Emulator.PendingUploadIds);
        _h.Emulator.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 403, "AccessDenied", times: 100);

        using var client = Client();
        var open = Assert.Single(await client.AbortCheckpointAsync(id));

        Assert.Equal(upload, open.UploadId);
        Assert.StartsWith("a checkpoint's upload could not be aborted: ", open.Reason, StringComparison.Ordinal);
        Assert.True(File.Exists(CheckpointPath(id)));
    }

    [Fact]
    public async Task AnIdThatIsNotACheckpointIdIsRefusedBeforeALockIsNamedAfterIt()
    {
        using var client = Client();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.AbortCheckpointAsync("a\0b"));
        Assert.Contains("is not a checkpoint id (letters and digits only)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbortingACheckpointThatIsNotThereSaysSo()
    {
        using var client = Client();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.AbortCheckpointAsync("0123456789abcdef0123456789abcdef"));
        Assert.StartsWith($"There is no checkpoint 0123456789abcdef0123456789abcdef in {Store().Directory}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbortingADamagedCheckpointSaysWhyAndSetsItAside()
    {
        var id = await InterruptedAsync();
        var bytes = File.ReadAllBytes(CheckpointPath(id));
        File.WriteAllBytes(CheckpointPath(id), bytes[..(bytes.Length / 2)]);

        using var client = Client();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.AbortCheckpointAsync(id));

        Assert.StartsWith($"Checkpoint {id} cannot be used (its content does not match its checksum (truncated or damaged)); it was set aside.", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_checkpoints, id + ".damaged")));
        Assert.Equal(1, _h.Emulator.PendingMultipartUploads);
    }

    [Fact]
    public async Task ACheckpointWhoseCommitMayHaveAppliedIsRefusedNamingItAndTheWayToForceIt()
    {
        var id = await InterruptedAsync();
        EditCheckpoint(id, d => d.CommitSent = true);

        using var client = Client();
        var refused = await Assert.ThrowsAsync<VodRawException>(() => client.AbortCheckpointAsync(id));

        Assert.Equal(VodRawErrorCodes.CommitOutcomeUnknown, refused.Code);
        Assert.Equal(id, refused.CheckpointId);
        Assert.Contains($"Checkpoint {id} was kept because CommitUpload was sent and its outcome is unknown: the media may already be in VOD (MediaStoragePath /", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Abort it with --force to drop it anyway.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, _h.Emulator.PendingMultipartUploads);

        Assert.Empty(await client.AbortCheckpointAsync(id, force: true));
        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.False(File.Exists(CheckpointPath(id)));
    }

    [Fact]
    public async Task ACheckpointOfAnotherSecretKeyIsRefused()
    {
        var id = await InterruptedAsync();

        using var other = Client(credential: new VodCredential(_h.Emulator.Credential.SecretId, "another-secret-key"));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => other.AbortCheckpointAsync(id));

        Assert.StartsWith($"Checkpoint {id} belongs to another SecretKey: its credential does not decrypt with this one.", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(CheckpointPath(id)));
    }

    [Fact]
    public async Task ACredentialThatExpiresThisSecondAbortsNothingAndTheCheckpointGoes()
    {
        var id = await InterruptedAsync();
        var upload = Assert.Single(_h.Emulator.PendingUploadIds);
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        EditCheckpoint(id, d => d.Session.Credential!.ExpiresAt = now.ToUnixTimeSeconds());

        using var client = Client(o => o.TimeProvider = new ManualTimeProvider(now));
        var open = Assert.Single(await client.AbortCheckpointAsync(id));

        Assert.Equal(upload, open.UploadId);
        Assert.Equal("the checkpoint's temporary credential has expired; COS's lifecycle rules remove the upload", open.Reason);
        Assert.Empty(_h.Emulator.Requests);
        Assert.False(File.Exists(CheckpointPath(id)));
    }

    [Fact]
    public async Task ACredentialWithoutAnExpiryStillAborts()
    {
        var id = await InterruptedAsync();
        EditCheckpoint(id, d => d.Session.Credential!.ExpiresAt = 0);

        using var client = Client();
        Assert.Empty(await client.AbortCheckpointAsync(id));

        Assert.Equal(0, _h.Emulator.PendingMultipartUploads);
        Assert.False(File.Exists(CheckpointPath(id)));
    }

    [Fact]
    public async Task ACancelledAbortTouchesNothing()
    {
        var id = await InterruptedAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        using var client = Client();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.AbortCheckpointAsync(id, force: false, cts.Token));

        Assert.Equal(1, _h.Emulator.PendingMultipartUploads);
        Assert.Empty(_h.Emulator.Requests);
        Assert.True(File.Exists(CheckpointPath(id)));
    }
}
