using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CsCheck;
using VodRaw.Checkpoints;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.EndToEnd;

/// <summary>One step of a generated sequence: a run of the uploader, or something that happens between runs.</summary>
internal abstract record ModelStep;

/// <summary>Upload file <paramref name="File"/> to the end, under <paramref name="Faults"/>.</summary>
internal sealed record UploadStep(int File, RunFaults Faults) : ModelStep
{
    public override string ToString() => $"Upload({File}{Faults})";
}

/// <summary>Upload file <paramref name="File"/> and cancel once <paramref name="Parts"/> parts are confirmed (it may finish first).</summary>
internal sealed record CancelAfterPartsStep(int File, int Parts) : ModelStep
{
    public override string ToString() => $"CancelAfterParts({File}, {Parts})";
}

/// <summary>
/// Upload file <paramref name="File"/> with the reply of the first <paramref name="Operation"/> held back (the request
/// takes effect); cancel once the emulator logged it (the run may end first when it never sends one).
/// </summary>
internal sealed record CancelWhileInFlightStep(int File, EmulatorOperation Operation) : ModelStep
{
    public override string ToString() => $"CancelWhile({File}, {Operation} in flight)";
}

/// <summary>
/// The service forgets the sessions it opened, for the next run: it refuses ListParts and Abort with AccessDenied, or
/// (<paramref name="FreshService"/>) the next run goes to a second emulator with the same API key.
/// </summary>
internal sealed record ForgetStep(bool FreshService) : ModelStep
{
    public override string ToString() => FreshService ? "Forget(fresh service)" : "Forget(refuse ListParts+Abort)";
}

/// <summary>The next run spells the primary's VOD endpoint <c>http://localhost:PORT//</c>.</summary>
internal sealed record AliasStep : ModelStep
{
    public override string ToString() => "Alias";
}

/// <summary>The shared clock passes every temporary credential issued so far.</summary>
internal sealed record ExpireStep : ModelStep
{
    public override string ToString() => "Expire";
}

/// <summary>File <paramref name="File"/> changes: 64 bytes at <paramref name="Offset"/> rewritten, its last-write time moved on.</summary>
internal sealed record ChangeStep(int File, int Offset, int Seed) : ModelStep
{
    public override string ToString() => $"Change({File} @{Offset})";
}

/// <summary>The last run's file uploaded again, without faults.</summary>
internal sealed record RerunStep : ModelStep
{
    public override string ToString() => "Rerun";
}

/// <summary>
/// Faults of one run. 0 or false is none. UploadPart 503s stay within the retry budget (MaxAttempts 3: at most two in a
/// row); <see cref="LostCommits"/> of 3 loses every attempt's reply; <see cref="Part403At"/> refuses every UploadPart
/// from that occurrence on.
/// </summary>
internal sealed record RunFaults(int Part503At, int Part503Times, bool LostInitiate, bool LostComplete, int LostCommits, int Part403At)
{
    public static readonly RunFaults None = new(0, 0, false, false, 0, 0);

    /// <summary>Whether every fault is one the uploader must recover from (the run must succeed).</summary>
    public bool Recoverable => Part403At == 0 && LostCommits < 3;

    public void AddTo(FaultPlan plan)
    {
        if (Part503At > 0)
        {
            plan.Fail(EmulatorOperation.UploadPart, 503, "ServiceUnavailable", occurrence: Part503At, times: Part503Times);
        }

        if (LostInitiate)
        {
            plan.LoseReply(EmulatorOperation.InitiateMultipartUpload);
        }

        if (LostComplete)
        {
            plan.LoseReply(EmulatorOperation.CompleteMultipartUpload);
        }

        if (LostCommits > 0)
        {
            plan.LoseReply(EmulatorOperation.CommitUpload, times: LostCommits);
        }

        if (Part403At > 0)
        {
            plan.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", occurrence: Part403At, times: 1000);
        }
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (Part503At > 0)
        {
            parts.Add($"UploadPart 503 #{Part503At}×{Part503Times}");
        }

        if (LostInitiate)
        {
            parts.Add("Initiate reply lost");
        }

        if (LostComplete)
        {
            parts.Add("Complete reply lost");
        }

        if (LostCommits > 0)
        {
            parts.Add($"CommitUpload reply lost ×{LostCommits}");
        }

        if (Part403At > 0)
        {
            parts.Add($"UploadPart 403 from #{Part403At}");
        }

        return parts.Count == 0 ? string.Empty : ", " + string.Join(", ", parts);
    }
}

/// <summary>A generated case: the size of each file (parts of 1 MiB plus a tail) and the steps.</summary>
internal sealed record ModelSequence(int[] Sizes, ModelStep[] Steps)
{
    public override string ToString() =>
        $"sizes [{string.Join(", ", Sizes)}]; steps: {string.Join(" → ", Steps.Select(s => s.ToString()))} → final clean re-run of every file";
}

/// <summary>The generators of <see cref="ModelSequence"/>. Shrinking moves towards fewer steps, lower indices, no faults.</summary>
internal static class ModelGen
{
    public const int Files = 3;

    /// <summary>A fault that is present one time in three (shrinks to absent).</summary>
    private static readonly Gen<bool> Rarely = Gen.Int[0, 2].Select(i => i == 2);

    /// <summary>File 0 most often, so that steps meet each other's leftovers (a pause, then a forgotten session, then a run).</summary>
    private static readonly Gen<int> File = Gen.Frequency((4, Gen.Const(0)), (2, Gen.Const(1)), (1, Gen.Const(2)));

    public static readonly Gen<RunFaults> Faults = Gen.Select(
        Gen.Select(Rarely, Gen.Int[1, 4], Gen.Int[1, 2]),
        Rarely,
        Rarely,
        Gen.Select(Rarely, Gen.Int[1, 3]),
        Gen.Select(Rarely, Gen.Int[1, 4]),
        (p503, initiate, complete, commit, p403) => new RunFaults(
            p503.Item1 ? p503.Item2 : 0, p503.Item1 ? p503.Item3 : 0, initiate, complete, commit.Item1 ? commit.Item2 : 0, p403.Item1 ? p403.Item2 : 0));

    public static readonly Gen<ModelStep> Step = Gen.Frequency(
        (4, Gen.Select(File, Gen.Frequency((1, Gen.Const(RunFaults.None)), (2, Faults)), (f, faults) => (ModelStep)new UploadStep(f, faults))),
        (3, Gen.Select(File, Gen.Int[1, 3], (f, k) => (ModelStep)new CancelAfterPartsStep(f, k))),
        (2, Gen.Select(File, Gen.Frequency(
                (3, Gen.Const(EmulatorOperation.CommitUpload)),
                (1, Gen.OneOf(Gen.Const(EmulatorOperation.ApplyUpload), Gen.Const(EmulatorOperation.InitiateMultipartUpload), Gen.Const(EmulatorOperation.UploadPart),
                    Gen.Const(EmulatorOperation.CompleteMultipartUpload), Gen.Const(EmulatorOperation.ListParts), Gen.Const(EmulatorOperation.HeadObject)))),
            (f, operation) => (ModelStep)new CancelWhileInFlightStep(f, operation))),
        (3, Gen.Bool.Select(fresh => (ModelStep)new ForgetStep(fresh))),
        (1, Gen.Const((ModelStep)new AliasStep())),
        (1, Gen.Const((ModelStep)new ExpireStep())),
        (2, Gen.Select(File, Gen.Int[0, 1 << 20], Gen.Int[1, 1000], (f, offset, seed) => (ModelStep)new ChangeStep(f, offset, seed))),
        (2, Gen.Const((ModelStep)new RerunStep())));

    /// <summary>A file of 1 to 3 MiB plus 1 to 4096 bytes: 2 to 4 parts.</summary>
    private static readonly Gen<int> Size = Gen.Select(Gen.Int[1, 3], Gen.Int[1, 4096], (mib, tail) => (mib * CompositionWorld.PartSize) + tail);

    public static readonly Gen<ModelSequence> Sequence = Gen.Select(Size.Array[Files], Step.Array[3, 6], (sizes, steps) => new ModelSequence(sizes, steps));
}

/// <summary>
/// The world one sequence runs in: a primary emulator (and, when a step asks, a second one with the same API key),
/// three media files, one checkpoint directory (KeepCommitted, as the CLI uses it), a clock shared by clients and
/// emulators, and what the caller was told. After every step the invariants are checked against the emulators' own
/// records; a violation throws with the trace of the steps so far.
/// </summary>
internal sealed class CompositionWorld : IAsyncDisposable
{
    public const int PartSize = 1024 * 1024;

    private const string Region = "ap-guangzhou";
    private const string Primary = "primary";
    private const string Secondary = "secondary";
    private static readonly TimeSpan CredentialLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly ManualTimeProvider _clock;
    private readonly string _root = Directory.CreateTempSubdirectory("vodraw-model-").FullName;
    private readonly string _checkpoints;
    private readonly string[] _paths;
    private readonly byte[][] _contents;
    private readonly VodEmulator _primary;
    private VodEmulator? _secondary;
    private readonly HashSet<(string Service, string FileId)> _known = [];
    private readonly HashSet<(string Service, string MediaStoragePath)> _commitMayHaveApplied = [];
    private readonly HashSet<string> _reportedOpen = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Service, string FileId), (string Name, string Hash)> _committedContent = [];
    private readonly List<string> _trace = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<CheckpointNotice> _notices = new();
    private bool _forgetNext;
    private bool _freshServiceNext;
    private bool _aliasNext;
    private int _lastFile;

    private CompositionWorld(ManualTimeProvider clock, VodEmulator primary, int[] sizes, int seed)
    {
        _clock = clock;
        _primary = primary;
        _checkpoints = Path.Combine(_root, "state");
        _paths = new string[sizes.Length];
        _contents = new byte[sizes.Length][];
        var random = new Random(seed);
        for (var i = 0; i < sizes.Length; i++)
        {
            _contents[i] = new byte[sizes[i]];
            random.NextBytes(_contents[i]);
            _paths[i] = Path.Combine(_root, $"file{i}.mp4");
            System.IO.File.WriteAllBytes(_paths[i], _contents[i]);
        }
    }

    /// <summary>Steps taken, what each run was told and what the emulators saw: the story of a failure.</summary>
    public string Trace => string.Join('\n', _trace);

    /// <summary>What the runs met, counted (shared by the sequences of one test): proof that the interesting paths were taken.</summary>
    public SortedDictionary<string, int> Stats { get; init; } = new(StringComparer.Ordinal);

    private void Count(string what)
    {
        lock (Stats)
        {
            Stats[what] = Stats.GetValueOrDefault(what) + 1;
        }
    }

    public static async Task<CompositionWorld> StartAsync(int[] sizes, int seed = 1, SortedDictionary<string, int>? stats = null)
    {
        var clock = new ManualTimeProvider();
        var primary = await VodEmulator.StartAsync(EmulatorOptions(clock, credential: null));
        return new CompositionWorld(clock, primary, sizes, seed) { Stats = stats ?? new(StringComparer.Ordinal) };
    }

    private static VodEmulatorOptions EmulatorOptions(ManualTimeProvider clock, EmulatorCredential? credential) =>
        new() { TimeProvider = clock, TemporaryCredentialLifetime = CredentialLifetime, Credential = credential };

    /// <summary>Runs a whole sequence: its steps, then a clean re-run of every file on the primary, checking after each.</summary>
    public async Task RunAsync(ModelSequence sequence)
    {
        _trace.Add("case: " + sequence);
        foreach (var step in sequence.Steps)
        {
            await StepAsync(step);
        }

        await FinalAsync();
    }

    public async Task StepAsync(ModelStep step)
    {
        _trace.Add("step " + step);
        switch (step)
        {
            case UploadStep u:
                await RunUploadAsync(u.File, u.Faults, RunKind.ToTheEnd, 0);
                break;
            case CancelAfterPartsStep c:
                await RunUploadAsync(c.File, RunFaults.None, RunKind.CancelAfterParts, c.Parts);
                break;
            case CancelWhileInFlightStep c:
                await RunUploadAsync(c.File, RunFaults.None, RunKind.CancelWhileInFlight, 0, c.Operation);
                break;
            case RerunStep:
                await RunUploadAsync(_lastFile, RunFaults.None, RunKind.ToTheEnd, 0);
                break;
            case ForgetStep { FreshService: true }:
                _freshServiceNext = true;
                break;
            case ForgetStep:
                _forgetNext = true;
                break;
            case AliasStep:
                _aliasNext = true;
                break;
            case ExpireStep:
                _clock.Advance(CredentialLifetime + TimeSpan.FromMinutes(1));
                break;
            case ChangeStep c:
                Change(c);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, "unknown step");
        }

        await CheckInvariantsAsync();
    }

    /// <summary>Invariant 5: a clean re-run of every file on the primary ends with each file committed exactly once there, its FileId known.</summary>
    public async Task FinalAsync()
    {
        _forgetNext = _freshServiceNext = _aliasNext = false;
        for (var i = 0; i < _paths.Length; i++)
        {
            _trace.Add($"final re-run of file {i}");
            var response = await RunUploadAsync(i, RunFaults.None, RunKind.ToTheEnd, 0);
            await CheckInvariantsAsync();
            var hash = Hash(_contents[i]);
            var committed = new List<string>();
            foreach (var media in _primary.CommittedMedia)
            {
                var (name, mediaHash) = await ContentOfAsync(Primary, _primary, media);
                if (name == NameOf(i) && mediaHash == hash)
                {
                    committed.Add(media.FileId);
                }
            }

            Check(committed.Count == 1, $"5: file {i} as it is now is committed {committed.Count} times on the primary ([{string.Join(", ", committed)}]), not once");
            Check(response is not null && committed.Contains(response.FileId), $"5: the final run of file {i} answered FileId {response?.FileId}, the primary committed [{string.Join(", ", committed)}]");
        }

        foreach (var media in _primary.CommittedMedia)
        {
            Check(_known.Contains((Primary, media.FileId)), $"2 (final): the primary committed FileId {media.FileId} ({MediaStoragePathOf(media)}) and no caller was ever given it");
        }
    }

    private enum RunKind
    {
        ToTheEnd,
        CancelAfterParts,
        CancelWhileInFlight,
    }

    private async Task<VodUploadResponse?> RunUploadAsync(int file, RunFaults faults, RunKind kind, int cancelAfterParts, EmulatorOperation heldBack = EmulatorOperation.Unknown)
    {
        _lastFile = file;
        var fresh = _freshServiceNext;
        var service = fresh ? await SecondaryAsync() : _primary;
        var label = fresh ? Secondary : Primary;
        var alias = _aliasNext && !fresh;
        var forget = _forgetNext;
        _freshServiceNext = _aliasNext = _forgetNext = false;

        service.Faults.Clear();
        service.ClearRequests();
        if (forget)
        {
            service.Faults.Fail(EmulatorOperation.ListParts, 403, "AccessDenied", times: 1000);
            service.Faults.Fail(EmulatorOperation.AbortMultipartUpload, 403, "AccessDenied", times: 1000);
        }

        faults.AddTo(service.Faults);
        if (kind == RunKind.CancelWhileInFlight)
        {
            service.Faults.DelayReply(heldBack, TimeSpan.FromSeconds(30));
        }

        var noticesBefore = _notices.Count;
        using var cts = new CancellationTokenSource();
        using var client = new VodUploadClient(new VodCredential(_primary.Credential.SecretId, _primary.Credential.SecretKey), Options(service, alias));
        var progress = kind == RunKind.CancelAfterParts ? new InlineProgress(p =>
        {
            if (p.PartsCompleted >= cancelAfterParts)
            {
                cts.Cancel();
            }
        }) : null;
        var request = new VodUploadRequest { MediaFilePath = _paths[file], MediaName = NameOf(file) };
        var upload = client.UploadAsync(Region, request, progress, cts.Token);
        if (kind == RunKind.CancelWhileInFlight)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!upload.IsCompleted && !service.Requests.Any(r => r.Operation == heldBack) && waited.Elapsed < RunTimeout)
            {
                await Task.Delay(2);
            }

            await cts.CancelAsync();
        }

        var where = $"{label}{(alias ? " (alias)" : string.Empty)}{(forget ? " (ListParts+Abort refused)" : string.Empty)}";
        VodUploadResponse? response = null;
        try
        {
            response = await upload.WaitAsync(RunTimeout);
            _trace.Add($"  → {where}: FileId {response.FileId}{(response.AlreadyCommitted ? " (AlreadyCommitted)" : string.Empty)}, uploaded {response.BytesUploaded}, resumed {response.BytesResumed}, open [{string.Join(", ", response.OpenUploads.Select(u => u.UploadId))}]");
        }
        catch (UploadCanceledException e)
        {
            await SettleAsync(service);
            _trace.Add($"  → {where}: cancelled, {e.Outcome}, kept {e.BytesKept}, checkpoint {e.CheckpointId}, MediaStoragePath {e.MediaStoragePath}, open [{string.Join(", ", e.OpenUploads.Select(u => u.UploadId))}]");
            AddRequests(label, service, noticesBefore);
            OnCanceled(label, service, file, e);
            return null;
        }
        catch (VodRawException e)
        {
            await SettleAsync(service);
            _trace.Add($"  → {where}: {e.GetType().Name} {e.Operation}/{e.Code}, checkpoint {e.CheckpointId}, open [{string.Join(", ", e.OpenUploads.Select(u => u.UploadId))}]: {e.Message}");
            AddRequests(label, service, noticesBefore);
            OnFailed(label, service, kind, faults, e);
            return null;
        }
        catch (Exception e) when (e is not ModelViolationException)
        {
            AddRequests(label, service, noticesBefore);
            throw Violation($"4: the run threw {e.GetType().Name}, not a VodRawException or UploadCanceledException: {e}");
        }
        finally
        {
            service.Faults.Clear();
        }

        AddRequests(label, service, noticesBefore);
        await OnSucceededAsync(label, service, file, response);
        return response;
    }

    /// <summary>
    /// Waits until requests a cancelled or failed run left in flight have reached the emulator's log (it logs a request
    /// when it ends, which for a part in flight beside the one that failed can be after the client returned), so the
    /// next run's log is its own.
    /// </summary>
    private static async Task SettleAsync(VodEmulator service)
    {
        var count = service.Requests.Count;
        for (int quiet = 0, polls = 0; quiet < 3 && polls < 100; polls++)
        {
            await Task.Delay(10);
            var now = service.Requests.Count;
            quiet = now == count ? quiet + 1 : 0;
            count = now;
        }
    }

    private void AddRequests(string label, VodEmulator service, int noticesBefore)
    {
        foreach (var rule in service.Faults.FiredRules)
        {
            Count($"fault fired: {rule.Operation} {rule.Kind}{(rule.Kind == FaultKind.Fail ? " " + rule.Code : string.Empty)}");
        }

        var requests = service.Requests;
        _trace.Add("    emulator: " + string.Join(", ", requests.GroupBy(r => (r.Operation, r.Status, r.Fault))
            .Select(g => $"{g.Key.Operation} {g.Key.Status}{(g.Key.Fault is { } f ? " " + f : string.Empty)} ×{g.Count()}")));
        foreach (var notice in _notices.Skip(noticesBefore))
        {
            _trace.Add($"    notice {notice.Kind}: {notice.Message}");
            Count("notice: " + notice.Kind + (notice.Kind == CheckpointNoticeKind.StartingFresh ? " (" + FreshReason(notice.Message) + ")" : string.Empty));
            Check(!notice.Message.Contains("safe to repeat", StringComparison.OrdinalIgnoreCase), "4: a notice says 'safe to repeat': " + notice.Message);

            // A FileId a notice names (a commit in flight settled for content that changed since) is told to the caller.
            foreach (var media in service.CommittedMedia.Where(m => notice.Message.Contains(m.FileId, StringComparison.Ordinal)))
            {
                _known.Add((label, media.FileId));
            }
        }
    }

    private async Task OnSucceededAsync(string label, VodEmulator service, int file, VodUploadResponse response)
    {
        _known.Add((label, response.FileId));
        if (response.PreviousFileId is { } previous)
        {
            _known.Add((label, previous)); // an earlier run's commit in flight, settled for the content before a change
        }

        Count($"outcome: {(response.AlreadyCommitted ? "AlreadyCommitted" : response.BytesResumed > 0 ? "committed, resumed" : "committed")}{(response.OpenUploads.Count > 0 ? " naming open uploads" : string.Empty)} ({label})");
        foreach (var open in response.OpenUploads)
        {
            _reportedOpen.Add(open.UploadId);
        }

        Check(response.BytesResumed >= 0 && response.BytesResumed <= _contents[file].Length, $"4: BytesResumed {response.BytesResumed} is not within the file's {_contents[file].Length} bytes");
        var media = service.CommittedMedia.SingleOrDefault(m => m.FileId == response.FileId);
        Check(media is not null, $"4: the run answered FileId {response.FileId}, which the {label} service never committed");
        var (name, hash) = await ContentOfAsync(label, service, media!);
        Check(name == NameOf(file), $"4: FileId {response.FileId} was committed for {name}, not {NameOf(file)}");
        Check(hash == Hash(_contents[file]), $"4: FileId {response.FileId} holds other bytes than {NameOf(file)} holds now");

        if (response.AlreadyCommitted)
        {
            // Nothing sent: no VOD call, and no COS request in the committed session's directory (a part an earlier
            // failed run had in flight may still reach the log, elsewhere).
            var key = MediaStoragePathOf(media!).TrimStart('/');
            var directory = key[..(key.LastIndexOf('/') + 1)];
            var sent = service.Requests.Where(r => r.Operation is EmulatorOperation.ApplyUpload or EmulatorOperation.CommitUpload
                || r.Target.Contains("/" + directory, StringComparison.Ordinal)).ToList();
            Check(sent.Count == 0, $"4: an AlreadyCommitted answer sent {sent.Count} requests: {string.Join("; ", sent)}");
        }
    }

    private void OnCanceled(string label, VodEmulator service, int file, UploadCanceledException e)
    {
        foreach (var open in e.OpenUploads)
        {
            _reportedOpen.Add(open.UploadId);
        }

        CheckMessages(e);
        Count($"outcome: cancelled, {e.Outcome} ({label})");
        var listed = new CheckpointStore(_checkpoints).List();
        switch (e.Outcome)
        {
            case UploadInterruption.Paused:
                var info = listed.SingleOrDefault(c => c.Id == e.CheckpointId);
                Check(info is not null, $"4: a pause names checkpoint {e.CheckpointId}, which the store does not list");
                Check(e.BytesKept == info!.BytesDone, $"4: a pause says {e.BytesKept} bytes are kept; its checkpoint records {info.BytesDone}");
                break;
            case UploadInterruption.CommitMayHaveApplied:
                Check(service.Requests.Any(r => r.Operation == EmulatorOperation.CommitUpload), "4: CommitMayHaveApplied, and the emulator saw no CommitUpload in this run");
                Check(e.MediaStoragePath is not null, "4: CommitMayHaveApplied without a MediaStoragePath");
                _commitMayHaveApplied.Add((label, e.MediaStoragePath!));
                Check(listed.Any(c => c.Id == e.CheckpointId && c.CommitSent), $"4: CommitMayHaveApplied names checkpoint {e.CheckpointId}, which the store does not list with a commit in flight");
                break;
            case UploadInterruption.NothingStarted:
                // True only when this run wrote nothing and no checkpoint of this file is left to resume.
                Check(!service.Requests.Any(r => r.Operation is EmulatorOperation.InitiateMultipartUpload or EmulatorOperation.UploadPart or EmulatorOperation.PutObject
                        or EmulatorOperation.CompleteMultipartUpload), "4: NothingStarted, and this run wrote to COS");
                Check(!LiveCheckpoints().Any(d => d.Committed is null && d.Service == ServiceOf(service) && d.Files.Any(f => f.Path == _paths[file])),
                    $"4: NothingStarted (\"{e.Message}\", no checkpoint id), and the store keeps a checkpoint of {NameOf(file)} that resumes it");

                break;
            default:
                throw Violation($"4: with a checkpoint store a cancelled run said {e.Outcome}, not Paused, CommitMayHaveApplied or NothingStarted");
        }
    }

    private void OnFailed(string label, VodEmulator service, RunKind kind, RunFaults faults, VodRawException e)
    {
        foreach (var open in e.OpenUploads)
        {
            _reportedOpen.Add(open.UploadId);
        }

        CheckMessages(e);
        Count($"outcome: {e.GetType().Name} {e.Code}{(e.OpenUploads.Count > 0 ? " naming open uploads" : string.Empty)} ({label})");
        if (e is CommitOutcomeUnknownException unknown)
        {
            Check(service.Requests.Any(r => r.Operation == EmulatorOperation.CommitUpload), "4: CommitOutcomeUnknown, and the emulator saw no CommitUpload in this run");
            if (unknown.MediaStoragePath is { } path)
            {
                _commitMayHaveApplied.Add((label, path));
            }

            Check(unknown.CheckpointId is null || new CheckpointStore(_checkpoints).List().Any(c => c.Id == unknown.CheckpointId && c.CommitSent),
                $"4: CommitOutcomeUnknown names checkpoint {unknown.CheckpointId}, which the store does not list with a commit in flight");
        }

        Check(kind == RunKind.ToTheEnd && !faults.Recoverable, $"a run whose faults are all recoverable failed: {e.GetType().Name} {e.Operation}/{e.Code}: {e.Message}");
        if (e.CheckpointId is { } id)
        {
            Check(new CheckpointStore(_checkpoints).List().Any(c => c.Id == id), $"4: the failure names checkpoint {id}, which the store does not list");
        }
    }

    private void CheckMessages(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            Check(!x.Message.Contains("safe to repeat", StringComparison.OrdinalIgnoreCase), $"4: {x.GetType().Name} says 'safe to repeat': {x.Message}");
        }
    }

    /// <summary>Invariants 1–3 on every service, from the emulators' own records and the checkpoint files.</summary>
    private async Task CheckInvariantsAsync()
    {
        var all = LiveCheckpoints();
        foreach (var document in all)
        {
            Check(Services().Any(s => document.Service == ServiceOf(s.Service)), $"checkpoint {document.Id} records service '{document.Service}', none of the emulators'");
        }

        foreach (var (label, service) in Services())
        {
            var documents = all.Where(d => d.Service == ServiceOf(service)).ToList();
            // 1: each content version of a file is committed at most once per service.
            var committed = new Dictionary<(string Name, string Hash), List<string>>();
            foreach (var media in service.CommittedMedia)
            {
                var content = await ContentOfAsync(label, service, media);
                if (!committed.TryGetValue(content, out var ids))
                {
                    committed[content] = ids = [];
                }

                ids.Add(media.FileId);

                // 2: no FileId the service issued is forgotten.
                var path = MediaStoragePathOf(media);
                Check(_known.Contains((label, media.FileId)) || _commitMayHaveApplied.Contains((label, path))
                        || documents.Any(d => d.CommitSent && d.Session.MediaStoragePath == path && (d.Committed is null || d.Committed.FileId == media.FileId)),
                    $"2: the {label} service committed FileId {media.FileId} ({path}); no caller was given it, no error said the commit may have applied, no checkpoint records it in flight");
            }

            foreach (var ((name, _), ids) in committed)
            {
                Check(ids.Count == 1, $"1: the {label} service committed the same content of {name} {ids.Count} times: [{string.Join(", ", ids)}]");
            }

            // 3: every multipart upload still open is named to the caller, or belongs to a live checkpoint that resumes or aborts it.
            foreach (var open in service.Store.Uploads)
            {
                Check(_reportedOpen.Contains(open.UploadId) || documents.Any(d => d.Committed is null && d.Session.Bucket == open.Bucket
                        && d.Files.Any(f => f.Key == open.Key && (f.UploadId == open.UploadId || (f.UploadId is null && !f.Complete)))),
                    $"3: the {label} service holds multipart upload {open.UploadId} ({open.Key}, {open.Parts.Count} parts) open; no OpenUploads list named it and no checkpoint holds it");
            }
        }
    }

    /// <summary>The service a checkpoint records (its normalised endpoints), as the uploader writes it.</summary>
    private static string ServiceOf(VodEmulator service) =>
        ServiceEndpoint.Normalize(service.VodEndpoint) + " " + ServiceEndpoint.NormalizeTemplate(service.CosEndpoint + "{bucket}");

    private IEnumerable<(string Label, VodEmulator Service)> Services()
    {
        yield return (Primary, _primary);
        if (_secondary is not null)
        {
            yield return (Secondary, _secondary);
        }
    }

    /// <summary>The checkpoint documents in the store (live ones and committed records), read from the files.</summary>
    private List<CheckpointDocument> LiveCheckpoints()
    {
        var list = new List<CheckpointDocument>();
        if (!Directory.Exists(_checkpoints))
        {
            return list;
        }

        foreach (var path in Directory.EnumerateFiles(_checkpoints, "*" + CheckpointStore.Extension))
        {
            var (document, problem) = CheckpointCodec.Decode(System.IO.File.ReadAllBytes(path));
            Check(document is not null, $"the checkpoint {Path.GetFileName(path)} does not decode: {problem}");
            list.Add(document!);
        }

        return list;
    }

    /// <summary>Which file a committed media is (its ApplyUpload MediaName) and a hash of the bytes stored at its MediaStoragePath.</summary>
    private async Task<(string Name, string Hash)> ContentOfAsync(string label, VodEmulator service, EmulatorMedia media)
    {
        if (_committedContent.TryGetValue((label, media.FileId), out var known))
        {
            return known;
        }

        using var body = JsonDocument.Parse(media.ApplyUploadBody);
        var name = body.RootElement.TryGetProperty("MediaName", out var n) ? n.GetString() ?? "?" : "?";
        var key = MediaStoragePathOf(media).TrimStart('/');
        var stored = service.GetObject(service.BucketFor(null), key);
        Check(stored is not null, $"the {label} service committed FileId {media.FileId} with no object at {key}");
        await using var read = stored!.OpenRead();
        var hash = Convert.ToHexString(await SHA256.HashDataAsync(read));
        return _committedContent[(label, media.FileId)] = (name, hash);
    }

    /// <summary>The MediaStoragePath of a committed media: its URL's path less the bucket.</summary>
    private static string MediaStoragePathOf(EmulatorMedia media)
    {
        var path = Uri.UnescapeDataString(new Uri(media.MediaUrl).AbsolutePath);
        return path[path.IndexOf('/', 1)..];
    }

    private void Change(ChangeStep step)
    {
        var content = _contents[step.File];
        var offset = step.Offset % (content.Length - 64);
        var random = new Random(step.Seed);
        var before = content.AsSpan(offset, 64).ToArray();
        do
        {
            random.NextBytes(content.AsSpan(offset, 64));
        }
        while (content.AsSpan(offset, 64).SequenceEqual(before));

        var path = _paths[step.File];
        var written = System.IO.File.GetLastWriteTimeUtc(path);
        System.IO.File.WriteAllBytes(path, content);
        System.IO.File.SetLastWriteTimeUtc(path, written.AddSeconds(7));
    }

    private async Task<VodEmulator> SecondaryAsync() =>
        _secondary ??= await VodEmulator.StartAsync(EmulatorOptions(_clock, _primary.Credential));

    private VodUploadClientOptions Options(VodEmulator service, bool alias) => new()
    {
        VodEndpoint = alias ? new Uri($"http://localhost:{service.VodEndpoint.Port.ToString(CultureInfo.InvariantCulture)}//") : service.VodEndpoint,
        CosEndpointTemplate = service.CosEndpoint + "{bucket}",
        Checkpoints = new CheckpointStore(_checkpoints) { KeepCommitted = true, Notice = _notices.Enqueue },
        TimeProvider = _clock,
        ProgressInterval = TimeSpan.Zero,
        Retry = new RetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 2 },
    };

    private static string FreshReason(string message) =>
        message.Contains("expired", StringComparison.Ordinal) ? "credential expired"
        : message.Contains("changed", StringComparison.Ordinal) ? "file changed"
        : message.Contains("AccessDenied", StringComparison.Ordinal) ? "session refused"
        : "other";

    private static string NameOf(int file) => "file" + file.ToString(CultureInfo.InvariantCulture);

    private static string Hash(byte[] content) => Convert.ToHexString(SHA256.HashData(content));

    private void Check(bool condition, string violation)
    {
        if (!condition)
        {
            throw Violation(violation);
        }
    }

    private ModelViolationException Violation(string violation) =>
        new("invariant " + violation + "\n" + Trace);

    public async ValueTask DisposeAsync()
    {
        await _primary.DisposeAsync();
        if (_secondary is not null)
        {
            await _secondary.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>An invariant of the composition model did not hold; the message has the steps and what each run saw.</summary>
internal sealed class ModelViolationException(string message) : Exception(message);
