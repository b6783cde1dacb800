using VodRaw.Emulator;
using VodRaw.Tests.Support;
using Xunit.Abstractions;

namespace VodRaw.Tests.EndToEnd;

/// <summary>
/// Many uploads, each under one to three faults drawn at random (seeded) from the emulator's fault plan. Every upload
/// must end byte-identical and committed, or fail naming operation and code (and the RequestId whenever the service
/// answered), with no multipart upload left open unless the error names it.
/// </summary>
public sealed class RandomFaultRunTests(ITestOutputHelper output)
{
    private const int Uploads = 64;

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
        int committed = 0, failed = 0, faultsFired = 0;
        var codes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Uploads; i++)
        {
            h.Emulator.Faults.Clear();
            var plan = new List<string>();
            for (var f = random.Next(1, 4); f > 0; f--)
            {
                plan.Add(AddRandomFault(h.Emulator.Faults, random));
            }

            var size = random.Next(4) switch
            {
                0 => random.Next(1, 64 * 1024),
                1 => (1024 * 1024) + random.Next(1, 1024 * 1024),
                _ => (3 * 1024 * 1024) + random.Next(1, 1024 * 1024),
            };
            var (path, content) = h.File($"random-{i}.mp4", size, seed: i);
            var pendingBefore = h.Emulator.PendingUploadIds.ToHashSet();
            using var client = h.Client(o => o.Retry = new RetryOptions { MaxAttempts = 4, InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) });
            try
            {
                var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path }).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(content, h.MediaObject(response).ReadAllBytes());
                Assert.False(string.IsNullOrEmpty(response.FileId));
                committed++;
                Assert.Empty(h.Emulator.PendingUploadIds.Except(pendingBefore));
            }
            catch (VodRawException e)
            {
                failed++;
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

        output.WriteLine($"{Uploads} uploads: {committed} committed intact, {failed} failed precisely; {faultsFired} fault rules fired");
        foreach (var (code, count) in codes)
        {
            output.WriteLine($"  {count} × {code}");
        }

        Assert.Equal(Uploads, committed + failed);
        Assert.True(committed >= Uploads / 3, "most faults are recoverable");
        Assert.True(failed > 0, "some faults are permanent");
        Assert.True(faultsFired >= Uploads, "the faults really fired");
    }

    private static string AddRandomFault(FaultPlan faults, Random random)
    {
        var times = random.Next(1, 6);
        var cos = CosOperations[random.Next(CosOperations.Length)];
        var vod = VodOperations[random.Next(VodOperations.Length)];
        switch (random.Next(9))
        {
            case 0:
                faults.Fail(cos, 503, "ServiceUnavailable", times: times);
                return $"{cos} 503 ×{times}";
            case 1:
                faults.Fail(vod, 200, "InternalError", times: times);
                return $"{vod} InternalError ×{times}";
            case 2:
                faults.ResetConnection(random.Next(2) == 0 ? cos : vod, afterBytes: random.Next(0, 200_000), times: times);
                return $"reset ×{times}";
            case 3:
                var lost = random.Next(2) == 0 ? cos : vod;
                faults.LoseReply(lost, times: random.Next(1, 3));
                return $"{lost} reply lost";
            case 4:
                var odd = cos == EmulatorOperation.AbortMultipartUpload ? EmulatorOperation.PutObject : cos;
                faults.OkWithErrorBody(odd, times: times);
                return $"{odd} 200 error body ×{times}";
            case 5:
                var op = random.Next(2) == 0 ? EmulatorOperation.UploadPart : EmulatorOperation.PutObject;
                faults.WrongCrc64(operation: op, times: times);
                return $"{op} wrong CRC ×{times}";
            case 6:
                faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied");
                return "UploadPart 403";
            case 7:
                faults.Fail(EmulatorOperation.AbortMultipartUpload, 500, "InternalError", times: 10);
                faults.Fail(EmulatorOperation.UploadPart, 403, "AccessDenied", occurrence: random.Next(1, 4));
                return "UploadPart 403 + Abort 500 ×10";
            default:
                faults.CompleteWithErrorBody(times: times);
                return $"Complete 200 error body ×{times}";
        }
    }
}
