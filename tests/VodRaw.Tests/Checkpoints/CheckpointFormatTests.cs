using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VodRaw.Checkpoints;
using VodRaw.Tests.Support;
using VodRaw.Transfer;

namespace VodRaw.Tests.Checkpoints;

public sealed class CheckpointFormatTests
{
    private static CheckpointDocument Sample() => new()
    {
        Id = "0123456789abcdef0123456789abcdef",
        Region = "ap-guangzhou",
        Request = "{\"MediaType\":\"mp4\"}",
        CallerSecretId = "AKIDexample",
        PartSize = 1 << 20,
        Session = new SessionRecord { VodSessionKey = "session", Bucket = "b-1250000000", StorageRegion = "ap-chongqing", MediaStoragePath = "/a/b.mp4" },
        Files = [new FileRecord { Role = "media", Path = "/data/b.mp4", Key = "a/b.mp4", UploadId = "u1", Fingerprint = new FileFingerprint { Size = 3 << 20 }, Parts = [new PartRecord { Number = 1, Size = 1 << 20, ETag = "\"e\"", Crc64 = 42 }] }],
    };

    [Fact]
    public void ADocumentRoundTrips()
    {
        var (document, problem) = CheckpointCodec.Decode(CheckpointCodec.Encode(Sample()));
        Assert.Null(problem);
        Assert.Equal("u1", document!.Files[0].UploadId);
        Assert.Equal(42UL, document.Files[0].Parts[0].Crc64);
    }

    [Fact]
    public void TheBodyIsTheDocumentsJsonUnderAHeaderLineWithItsSha256()
    {
        var document = Sample();
        var (header, body) = new CheckpointEncoder().Encode(document);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(document, CheckpointJsonContext.Default.CheckpointDocument), body.ToArray());
        Assert.Equal($"vodraw-checkpoint 1 sha256={Convert.ToHexStringLower(SHA256.HashData(body.Span))}\n", Encoding.ASCII.GetString(header.Span));
        Assert.Equal([.. header.ToArray(), .. body.ToArray()], CheckpointCodec.Encode(document));
    }

    [Fact]
    public void RewritingAGrowingCheckpointReusesItsBuffers()
    {
        // A 16 GiB upload at 8 MiB parts: 2,048 part records, a body of about a quarter of a MiB, rewritten every second.
        var document = Sample();
        document.Files[0].Parts = [.. Enumerable.Range(1, 2048).Select(n => new PartRecord { Number = n, Size = 8 << 20, ETag = "\"0123456789abcdef0123456789abcdef\"", Crc64 = ulong.MaxValue - (ulong)n })];
        var encoder = new CheckpointEncoder();
        var first = encoder.Encode(document).Body.Length;
        document.Files[0].Parts.RemoveAt(2047);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var (header, body) = encoder.Encode(document);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(first > 200_000, $"the body is {first} bytes");
        Assert.True(allocated < 4096, $"re-encoding a {body.Length}-byte checkpoint allocated {allocated} bytes");
        var (decoded, problem) = CheckpointCodec.Decode([.. header.ToArray(), .. body.ToArray()]);
        Assert.Null(problem);
        Assert.Equal(2047, decoded!.Files[0].Parts.Count);
    }

    [Fact]
    public void ATruncationAtEveryOffsetIsDetected()
    {
        var bytes = CheckpointCodec.Encode(Sample());
        for (var length = 0; length < bytes.Length; length++)
        {
            var (document, problem) = CheckpointCodec.Decode(bytes.AsSpan(0, length));
            Assert.True(document is null && problem is not null, $"truncated to {length} of {bytes.Length} bytes was accepted");
        }
    }

    [Fact]
    public void AFlippedBitAnywhereIsDetected()
    {
        var bytes = CheckpointCodec.Encode(Sample());
        for (var i = 0; i < bytes.Length; i++)
        {
            foreach (var bit in new[] { 0x01, 0x20 })
            {
                var damaged = bytes.ToArray();
                damaged[i] ^= (byte)bit;
                var (document, _) = CheckpointCodec.Decode(damaged);
                Assert.True(document is null, $"bit {bit:x2} of byte {i} flipped was accepted");
            }
        }
    }

    [Fact]
    public void AFutureSchemaIsRefusedNamingItsVersion()
    {
        var future = Sample();
        future.Schema = 2;
        var (document, problem) = CheckpointCodec.Decode(CheckpointCodec.Encode(future));
        Assert.Null(document);
        Assert.Contains("schema version 2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void SealedSecretsOpenOnlyWithTheCallersKeyAndTheirOwnCheckpoint()
    {
        var secret = Encoding.UTF8.GetBytes("{\"secretKey\":\"tmp-key\"}");
        var sealedValue = CheckpointSealer.Seal("caller-key", "id1", "AKIDtmp", secret);
        Assert.DoesNotContain("tmp-key", Encoding.UTF8.GetString(Convert.FromBase64String(sealedValue)), StringComparison.Ordinal);
        Assert.Equal(secret, CheckpointSealer.Open("caller-key", "id1", "AKIDtmp", sealedValue));
        Assert.Null(CheckpointSealer.Open("another-key", "id1", "AKIDtmp", sealedValue));
        Assert.Null(CheckpointSealer.Open("caller-key", "id2", "AKIDtmp", sealedValue));
        Assert.Null(CheckpointSealer.Open("caller-key", "id1", "AKIDother", sealedValue));
        var tampered = Convert.FromBase64String(sealedValue);
        tampered[^1] ^= 1;
        Assert.Null(CheckpointSealer.Open("caller-key", "id1", "AKIDtmp", Convert.ToBase64String(tampered)));
        Assert.Null(CheckpointSealer.Open("caller-key", "id1", "AKIDtmp", "not base64!"));
    }

    [Fact]
    public void TheIdDependsOnEveryInput()
    {
        var id = ResumeIdentity.ComputeId("AKID", "ap-guangzhou", "{}", ["/a.mp4"]);
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, ResumeIdentity.ComputeId("AKID", "ap-guangzhou", "{}", ["/a.mp4"]));
        Assert.NotEqual(id, ResumeIdentity.ComputeId("AKID2", "ap-guangzhou", "{}", ["/a.mp4"]));
        Assert.NotEqual(id, ResumeIdentity.ComputeId("AKID", "ap-beijing", "{}", ["/a.mp4"]));
        Assert.NotEqual(id, ResumeIdentity.ComputeId("AKID", "ap-guangzhou", "{\"x\":1}", ["/a.mp4"]));
        Assert.NotEqual(id, ResumeIdentity.ComputeId("AKID", "ap-guangzhou", "{}", ["/b.mp4"]));
    }

    [Fact]
    public async Task ReconcilingTrustsCosAndKeepsOnlyPartsWhoseBytesAreKnown()
    {
        var plan = PartPlan.Create((3L << 20) + 10, 1 << 20); // parts 1–3 of 1 MiB, part 4 of 10 bytes
        List<PartRecord> recorded = [new() { Number = 1, Size = 1 << 20, ETag = "\"aa\"", Crc64 = 1 }, new() { Number = 2, Size = 1 << 20, ETag = "\"bb\"", Crc64 = 2 }];
        List<ListedPart> listed = [new(1, "\"aa\"", 1 << 20), new(3, "\"cc\"", 1 << 20), new(4, "\"dd\"", 9), new(7, "\"ee\"", 10)];
        var hashed = new List<int>();
        var kept = await PartReconciler.ReconcileAsync(plan, recorded, listed, (n, _) =>
        {
            hashed.Add(n);
            return ValueTask.FromResult((n == 3 ? "CC" : "00", (ulong)(100 + n)));
        }, CancellationToken.None);

        // 1: recorded and listed alike; 2: recorded but not at COS (sent again); 3: listed only, bytes match;
        // 4: the wrong size; 7: not in the plan.
        Assert.Equal([1, 3], kept.Select(p => p.PartNumber));
        Assert.Equal(1UL, kept[0].Crc64);
        Assert.Equal(103UL, kept[1].Crc64);
        Assert.Equal([3], hashed);
    }

    [Fact]
    public async Task AListedPartWhoseBytesHashToAnotherETagIsSentAgain()
    {
        var plan = PartPlan.Create(3L << 20, 1 << 20);
        // Part 1: recorded with another ETag than COS lists; part 2: not recorded and the local bytes differ.
        List<PartRecord> recorded = [new() { Number = 1, Size = 1 << 20, ETag = "\"old\"", Crc64 = 1 }];
        List<ListedPart> listed = [new(1, "\"aa\"", 1 << 20), new(2, "\"bb\"", 1 << 20), new(3, "\"cc\"", 1 << 20)];
        var kept = await PartReconciler.ReconcileAsync(plan, recorded, listed, (n, _) => ValueTask.FromResult((n == 3 ? "cc" : "ff", (ulong)n)), CancellationToken.None);
        Assert.Equal([3], kept.Select(p => p.PartNumber));
    }

    [Fact]
    public void AFingerprintMatchesOnlyWhenEveryFieldDoes()
    {
        var a = new FileFingerprint { Size = 10, LastWriteTicks = 100, HeadCrc64 = 1, TailCrc64 = 2 };
        Assert.True(a.Matches(new FileFingerprint { Size = 10, LastWriteTicks = 100, HeadCrc64 = 1, TailCrc64 = 2 }));
        Assert.False(a.Matches(new FileFingerprint { Size = 11, LastWriteTicks = 100, HeadCrc64 = 1, TailCrc64 = 2 }));
        Assert.False(a.Matches(new FileFingerprint { Size = 10, LastWriteTicks = 101, HeadCrc64 = 1, TailCrc64 = 2 })); // touched, same bytes at the edges
        Assert.False(a.Matches(new FileFingerprint { Size = 10, LastWriteTicks = 100, HeadCrc64 = 9, TailCrc64 = 2 }));
        Assert.False(a.Matches(new FileFingerprint { Size = 10, LastWriteTicks = 100, HeadCrc64 = 1, TailCrc64 = 9 }));
    }

    [Fact]
    public async Task AFingerprintReadsTheSizeTheLastWriteAndBothEdges()
    {
        var path = Path.Combine(Path.GetTempPath(), "vodraw-fp-" + Guid.NewGuid().ToString("N"));
        var bytes = new byte[(3 * FileFingerprint.EdgeBytes) + 5];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            var stamp = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(path, stamp);
            var fp = await FileFingerprint.OfAsync(path, CancellationToken.None);
            Assert.Equal(bytes.Length, fp.Size);
            Assert.Equal(stamp.Ticks, fp.LastWriteTicks);
            Assert.Equal(VodRaw.Hashing.Crc64.Compute(bytes.AsSpan(0, FileFingerprint.EdgeBytes)), fp.HeadCrc64);
            Assert.Equal(VodRaw.Hashing.Crc64.Compute(bytes.AsSpan(bytes.Length - FileFingerprint.EdgeBytes)), fp.TailCrc64);

            // A byte in the middle changes nothing the fingerprint reads but the last write, which is what catches it.
            bytes[bytes.Length / 2] ^= 0xFF;
            await File.WriteAllBytesAsync(path, bytes);
            File.SetLastWriteTimeUtc(path, stamp.AddSeconds(1));
            Assert.False(fp.Matches(await FileFingerprint.OfAsync(path, CancellationToken.None)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public sealed class CheckpointVectorTests
{
    public static TheoryData<string> Ids => Vectors.Ids("checkpoint");

    [Theory]
    [MemberData(nameof(Ids))]
    public void IdAndKeyMatchTheIndependentComputation(string id)
    {
        var v = Vectors.Get("checkpoint", id);
        var inputs = v.GetProperty("inputs");
        var expected = v.GetProperty("expected");
        var paths = inputs.GetProperty("paths").EnumerateArray().Select(p => p.GetString()!).ToList();
        var checkpointId = ResumeIdentity.ComputeId(inputs.GetProperty("secretId").GetString()!, inputs.GetProperty("region").GetString()!, inputs.GetProperty("request").GetString()!, paths);
        Assert.Equal(expected.GetProperty("checkpointId").GetString(), checkpointId);
        var secretKey = inputs.GetProperty("secretKey").GetString()!;
        Assert.Equal(expected.GetProperty("aesKeyHex").GetString(), Convert.ToHexString(CheckpointSealer.DeriveKey(secretKey, checkpointId)).ToLowerInvariant());
        if (expected.OptionalString("sealed") is { } sealedValue)
        {
            var opened = CheckpointSealer.Open(secretKey, checkpointId, inputs.GetProperty("tempSecretId").GetString()!, sealedValue);
            Assert.Equal(inputs.GetProperty("sealedPlaintext").GetString(), Encoding.UTF8.GetString(opened!));
        }
    }
}
