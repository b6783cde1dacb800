using System.Text;
using VodRaw.Signing;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Signing;

public class Tc3SignerTests
{
    public static TheoryData<string> Ids => Vectors.Ids("tc3");

    [Fact]
    public void TheSpecHoldsTc3Vectors() => Assert.True(Vectors.Load("tc3").Count >= 8);

    [Theory]
    [MemberData(nameof(Ids))]
    public void ReproducesEveryIntermediateValueOfTheVector(string id)
    {
        var v = Vectors.Get("tc3", id);
        var (signer, input) = Build(v);
        var trace = signer.Explain(Input(v, input.payload));
        var expected = v.GetProperty("expected");

        Assert.Equal(expected.GetProperty("hashed_payload").GetString(), trace.HashedPayload);
        Assert.Equal(expected.GetProperty("canonical_request").GetString(), trace.CanonicalRequest);
        Assert.Equal(expected.GetProperty("hashed_canonical_request").GetString(), trace.HashedCanonicalRequest);
        Assert.Equal(expected.GetProperty("credential_scope").GetString(), trace.CredentialScope);
        Assert.Equal(expected.GetProperty("string_to_sign").GetString(), trace.StringToSign);
        Assert.Equal(expected.GetProperty("signature").GetString(), trace.Signature);
        Assert.Equal(expected.GetProperty("authorization").GetString(), trace.Authorization);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void FastPathProducesTheSameAuthorizationAsTheVector(string id)
    {
        var v = Vectors.Get("tc3", id);
        var (signer, input) = Build(v);
        // Twice: the second call uses the cached derived key.
        Assert.Equal(v.GetProperty("expected").GetProperty("authorization").GetString(), signer.Sign(Input(v, input.payload)));
        Assert.Equal(v.GetProperty("expected").GetProperty("authorization").GetString(), signer.Sign(Input(v, input.payload)));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void BuildsTheVectorsRequestHeaderSet(string id)
    {
        var v = Vectors.Get("tc3", id);
        var (signer, input) = Build(v);
        var i = v.GetProperty("inputs");
        var authorization = signer.Sign(Input(v, input.payload));
        var headers = Tc3Headers.Build(
            authorization, i.GetProperty("content_type").GetString()!, i.GetProperty("host").GetString()!,
            i.GetProperty("action").GetString()!, i.GetProperty("version").GetString()!, i.GetProperty("timestamp").GetInt64(),
            i.OptionalString("region"), i.OptionalString("token"));

        var expected = v.GetProperty("expected").GetProperty("request_headers").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), headers.ToDictionary(p => p.Key, p => (string?)p.Value).OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void UsesTheUtcDateOfTheTimestampAcrossMidnight()
    {
        Span<byte> date = stackalloc byte[10];
        Tc3Signer.WriteDate(1551139199, date);
        Assert.Equal("2019-02-25", Encoding.ASCII.GetString(date));
        Tc3Signer.WriteDate(1551139200, date);
        Assert.Equal("2019-02-26", Encoding.ASCII.GetString(date));
    }

    [Fact]
    public void ADifferentBodyByteChangesTheSignature()
    {
        var signer = new Tc3Signer(new VodCredential("AKIDEXAMPLE", "secret-key-for-tests"));
        var a = signer.Sign(new Tc3SigningInput { Service = "vod", Host = "vod.tencentcloudapi.com", ContentType = "application/json", Payload = "{\"a\":1}"u8, Timestamp = 1700000000, Action = "ApplyUpload" });
        var b = signer.Sign(new Tc3SigningInput { Service = "vod", Host = "vod.tencentcloudapi.com", ContentType = "application/json", Payload = "{\"a\":2}"u8, Timestamp = 1700000000, Action = "ApplyUpload" });
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void CredentialToStringNeverShowsTheSecretOrToken()
    {
        var credential = new VodCredential("AKIDVISIBLE0000000001", "THE-SECRET-KEY-VALUE", "THE-TOKEN-VALUE");
        var text = credential.ToString();
        Assert.DoesNotContain("THE-SECRET-KEY-VALUE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("THE-TOKEN-VALUE", text, StringComparison.Ordinal);
        Assert.True(credential.IsTemporary);
    }

    private static (Tc3Signer signer, (byte[] payload, int _) input) Build(System.Text.Json.JsonElement v)
    {
        var i = v.GetProperty("inputs");
        var signer = new Tc3Signer(new VodCredential(i.GetProperty("secret_id").GetString()!, i.GetProperty("secret_key").GetString()!, i.OptionalString("token")));
        return (signer, (Encoding.UTF8.GetBytes(i.GetProperty("payload").GetString()!), 0));
    }

    private static Tc3SigningInput Input(System.Text.Json.JsonElement v, byte[] payload)
    {
        var i = v.GetProperty("inputs");
        return new Tc3SigningInput
        {
            Service = i.GetProperty("service").GetString()!,
            Host = i.GetProperty("host").GetString()!,
            ContentType = i.GetProperty("content_type").GetString()!,
            Payload = payload,
            Timestamp = i.GetProperty("timestamp").GetInt64(),
            Action = i.GetProperty("action").GetString()!,
            SignAction = i.GetProperty("signed_headers").GetString() == Tc3Signer.SignedHeaders(signAction: true),
            Method = i.GetProperty("method").GetString()!,
            Path = i.GetProperty("path").GetString()!,
            Query = i.GetProperty("query").GetString()!,
        };
    }
}
