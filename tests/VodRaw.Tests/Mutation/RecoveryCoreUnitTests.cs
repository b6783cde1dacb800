using System.Security.Cryptography;
using System.Text;
using VodRaw.Api;
using VodRaw.Checkpoints;
using VodRaw.Http;
using VodRaw.Transfer;
using VodRaw.Upload;

namespace VodRaw.Tests.Mutation;

/// <summary>
/// Edges of the recovery core's pure parts that the format and end-to-end tests leave open: why a checkpoint is
/// refused (each reason is shown to people), the order of the parts a resume keeps, and what a fresh session says
/// about its own failures.
/// </summary>
public sealed class RecoveryCoreUnitTests
{
    private static CheckpointDocument Sample() => new()
    {
        Id = "0123456789abcdef0123456789abcdef",
        Region = "ap-guangzhou",
        PartSize = 1 << 20,
        Files = [new FileRecord { Role = "media", Path = "/data/b.mp4", Key = "a/b.mp4", Fingerprint = new FileFingerprint { Size = 3 << 20 } }],
    };

    /// <summary>A checkpoint file of this schema whose header carries the right SHA-256 of <paramref name="body"/>.</summary>
    private static byte[] WithValidHeader(byte[] body)
    {
        var header = Encoding.ASCII.GetBytes($"vodraw-checkpoint {CheckpointDocument.CurrentSchema} sha256={Convert.ToHexStringLower(SHA256.HashData(body))}\n");
        return [.. header, .. body];
    }

    private static string? Problem(byte[] bytes)
    {
        var (document, problem) = CheckpointCodec.Decode(bytes);
        Assert.Null(document);
        return problem;
    }

    [Fact]
    public void BytesWithoutANewlineHaveNoHeaderLine() =>
        Assert.Equal("it has no header line (truncated or not a checkpoint)", Problem(Encoding.ASCII.GetBytes("vodraw-checkpoint 1 sha256=00")));

    [Fact]
    public void AnEmptyFirstLineIsADamagedHeaderNotAMissingOne() =>
        Assert.Equal("its header line is damaged", Problem(Encoding.ASCII.GetBytes("\n{}")));

    [Fact]
    public void AFirstLineOfTwoHundredBytesIsReadAsAHeaderAndOneLongerIsNot()
    {
        Assert.Equal("its header line is damaged", Problem(Encoding.ASCII.GetBytes(new string('x', 200) + "\n{}")));
        Assert.Equal("it has no header line (truncated or not a checkpoint)", Problem(Encoding.ASCII.GetBytes(new string('x', 201) + "\n{}")));
    }

    [Fact]
    public void ABodyThatMatchesItsChecksumButIsNotJsonIsRefusedAsSuch() =>
        Assert.Equal("its content is not valid JSON", Problem(WithValidHeader(Encoding.UTF8.GetBytes("{not json"))));

    [Fact]
    public void ADocumentWithoutAnIdIsIncomplete()
    {
        var document = Sample();
        document.Id = string.Empty;
        Assert.Equal("its content is incomplete", Problem(CheckpointCodec.Encode(document)));
    }

    [Fact]
    public void ADocumentWithoutFilesIsIncomplete()
    {
        var document = Sample();
        document.Files = [];
        Assert.Equal("its content is incomplete", Problem(CheckpointCodec.Encode(document)));
    }

    [Fact]
    public async Task KeptPartsComeBackInPartOrderWhateverOrderCosListsThemIn()
    {
        var plan = PartPlan.Create(3L << 20, 1 << 20);
        List<PartRecord> recorded = [new() { Number = 3, Size = 1 << 20, ETag = "\"cc\"", Crc64 = 3 }, new() { Number = 1, Size = 1 << 20, ETag = "\"aa\"", Crc64 = 1 }];
        List<ListedPart> listed = [new(3, "\"cc\"", 1 << 20), new(2, "\"bb\"", 1 << 20), new(1, "\"aa\"", 1 << 20)];
        var kept = await PartReconciler.ReconcileAsync(plan, recorded, listed, (n, _) => ValueTask.FromResult(("bb", (ulong)n)), CancellationToken.None);
        Assert.Equal([1, 2, 3], kept.Select(p => p.PartNumber));
    }

    [Fact]
    public void AFreshSessionsFailureIsTheUploadsAndSaysSo()
    {
        var session = new FreshSession(new ApplyUploadResult { VodSessionKey = "s" }, null!, ["a/b.mp4"], NullJournal.Instance, 1 << 20);
        var decision = session.AfterFailure(new CosException("UploadPart", "AccessDenied", "x"));
        Assert.Equal(RecoveryAction.Fail, decision.Action);
        Assert.Equal("a fresh session's failure is the upload's", decision.Reason);
        Assert.False(session.CommitSentBefore);
        Assert.Same(FileStart.FromNothing, session.StartOf(0));
    }
}
