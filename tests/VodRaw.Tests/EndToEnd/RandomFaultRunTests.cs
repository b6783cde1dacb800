using VodRaw.Emulator;
using VodRaw.Tests.Support;
using Xunit.Abstractions;

namespace VodRaw.Tests.EndToEnd;

/// <summary>
/// Many uploads, each under one to three faults drawn at random (seeded) from the emulator's fault plan. Every upload
/// must end byte-identical and committed, or fail naming operation and code (and the RequestId whenever the service
/// answered), with no multipart upload left open unless the error names it. A plan whose faults are all recoverable
/// within the retry budget (at most MaxAttempts − 1 failures per operation, no permanent refusal) must commit: a
/// recoverable fault turned into a failure is a defect, not a precise failure.
/// </summary>
public sealed class RandomFaultRunTests(ITestOutputHelper output)
{
    private const int Uploads = 96;
    private const int MaxAttempts = 4;

    private static readonly EmulatorOperation[] CosOperations =
    [
        EmulatorOperation.PutObject, EmulatorOperation.InitiateMultipartUpload, EmulatorOperation.UploadPart,
        EmulatorOperation.CompleteMultipartUpload, EmulatorOperation.AbortMultipartUpload,
    ];

    private static readonly EmulatorOperation[] VodOperations = [EmulatorOperation.ApplyUpload, EmulatorOperation.CommitUpload];

    [Fact]
    public async Task EveryUploadEndsCommittedAndIntactOrFailsPreciselyWithNothingLeftOpenUnnamed()
    {
        await using var h = await UploadHarness.StartAsync();
        var random = new Random(20261201);
        int committed = 0, failed = 0, faultsFired = 0, recoverablePlans = 0, recoverableCommitted = 0;
        var codes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Uploads; i++)
        {
            h.Emulator.Faults.Clear();
            var plan = new List<string>();
            var failuresPerOperation = new Dictionary<EmulatorOperation, int>();
            var recoverable = true;
            for (var f = random.Next(1, 4); f > 0; f--)
            {
                var fault = AddRandomFault(h.Emulator.Faults, random);
                plan.Add(fault.Description);
                recoverable &= !fault.Permanent;
                failuresPerOperation[fault.Operation] = failuresPerOperation.GetValueOrDefault(fault.Operation) + fault.Failures;
            }

            // Rules on one operation may add up: recoverable only while every operation stays within the retries.
            recoverable &= failuresPerOperation.Values.All(n => n <= MaxAttempts - 1);

            recoverablePlans += recoverable ? 1 : 0;
            var size = random.Next(4) switch
            {
                0 => random.Next(1, 64 * 1024),
                1 => (1024 * 1024) + random.Next(1, 1024 * 1024),
                _ => (3 * 1024 * 1024) + random.Next(1, 1024 * 1024),
            };
            var (path, content) = h.File($"random-{i}.mp4", size, seed: i);
            var pendingBefore = h.Emulator.PendingUploadIds.ToHashSet();
            using var client = h.Client(o => o.Retry = new RetryOptions { MaxAttempts = MaxAttempts, InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) });
            try
            {
                var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path }).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(content, h.MediaObject(response).ReadAllBytes());
                Assert.False(string.IsNullOrEmpty(response.FileId));
                committed++;
                recoverableCommitted += recoverable ? 1 : 0;
                Assert.Empty(h.Emulator.PendingUploadIds.Except(pendingBefore));
            }
            catch (VodRawException e)
            {
                failed++;
                Assert.False(recoverable, $"upload {i} ({string.Join(", ", plan)}): every fault was recoverable, yet it failed: {e.Message}");
                codes[e.Operation + "/" + e.Code] = codes.GetValueOrDefault(e.Operation + "/" + e.Code) + 1;
                Assert.False(string.IsNullOrEmpty(e.Operation), $"upload {i} ({string.Join(", ", plan)}): no operation in '{e.Message}'");
                Assert.False(string.IsNullOrEmpty(e.Code));
                if (e.Status is not null)
                {
                    Assert.False(string.IsNullOrEmpty(e.RequestId), $"upload {i} ({string.Join(", ", plan)}): the service answered but no RequestId in '{e.Message}'");
                }

                var leftOpen = h.Emulator.PendingUploadIds.Except(pendingBefore).ToHashSet();
                Assert.True(leftOpen.SetEquals(e.OpenUploads.Select(u => u.UploadId)),
                    $"upload {i} ({string.Join(", ", plan)}): open at COS [{string.Join(", ", leftOpen)}], named [{string.Join(", ", e.OpenUploads.Select(u => u.UploadId))}]");
            }

            faultsFired += h.Emulator.Faults.FiredRules.Count;
            Assert.Equal(h.Pool.Rents, h.Pool.Returns);
        }

        output.WriteLine($"{Uploads} uploads: {committed} committed intact ({recoverableCommitted} of {recoverablePlans} recoverable plans), {failed} failed precisely; {faultsFired} fault rules fired");
        foreach (var (code, count) in codes)
        {
            output.WriteLine($"  {count} × {code}");
        }

        Assert.Equal(Uploads, committed + failed);
        Assert.Equal(recoverablePlans, recoverableCommitted); // every recoverable plan committed
        Assert.True(recoverablePlans >= Uploads / 4, $"only {recoverablePlans} recoverable plans: the run does not test recovery");
        Assert.True(failed > 0, "some faults are permanent");
        Assert.True(faultsFired >= Uploads, "the faults really fired");
    }

    /// <summary>One fault added to the plan: what it is, the operation it hits, how many failures it causes there, and whether retries can ever get past it.</summary>
    private readonly record struct Fault(string Description, EmulatorOperation Operation, int Failures, bool Permanent);

    private static Fault AddRandomFault(FaultPlan faults, Random random)
    {
        // Mostly within the retries (1–3 failures), sometimes past them (4–5).
        var times = random.Next(4) == 0 ? random.Next(4, 6) : random.Next(1, 4);
        var cos = CosOperations[random.Next(CosOperations.Length)];
        var vod = VodOperations[random.Next(VodOperations.Length)];
        switch (random.Next(9))
        {
            case 0:
                faults.Fail(cos, 503, "ServiceUnavailable", times: times);
                return new($"{cos} 503 ×{times}", cos, times, false);
            case 1:
                faults.Fail(vod, 200, "InternalError", times: times);
                return new($"{vod} InternalError ×{times}", vod, times, false);
            case 2:
                var reset = random.Next(2) == 0 ? cos : vod;
                faults.ResetConnection(reset, afterBytes: random.Next(0, 200_000), times: times);
                return new($"{reset} reset ×{times}", reset, times, false);
            case 3:
                var lost = random.Next(2) == 0 ? cos : vod;
                var lostTimes = random.Next(1, 3);
                faults.LoseReply(lost, times: lostTimes);
                return new($"{lost} reply lost ×{lostTimes}", lost, lostTimes, false);
            case 4:
                var odd = cos == EmulatorOperation.AbortMultipartUpload ? EmulatorOperation.PutObject : cos;
                faults.OkWithErrorBody(odd, times: times);
                return new($"{odd} 200 error body ×{times}", odd, times, false);
            case 5:
                var op = random.Next(2) == 0 ? EmulatorOperation.UploadPart : EmulatorOperation.PutObject;
                faults.WrongCrc64(operation: op, times: times);
                return new($"{op} wrong CRC ×{times}", op, times, false);
            case 6:
                faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied");
                return new("UploadPart 403", EmulatorOperation.UploadPart, 1, true);
            case 7:
                faults.Fail(EmulatorOperation.AbortMultipartUpload, 500, "InternalError", times: 10);
                faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", occurrence: random.Next(1, 4));
                return new("UploadPart 403 + Abort 500 ×10", EmulatorOperation.UploadPart, 1, true);
            default:
                faults.CompleteWithErrorBody(times: times);
                return new($"Complete 200 error body ×{times}", EmulatorOperation.CompleteMultipartUpload, times, false);
        }
    }
}
