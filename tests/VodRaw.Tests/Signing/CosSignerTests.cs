using System.Text.Json;
using VodRaw.Signing;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Signing;

public class CosSignerTests
{
    public static TheoryData<string> Ids => Vectors.Ids("cos");

    [Fact]
    public void TheSpecHoldsCosVectors() => Assert.True(Vectors.Load("cos").Count >= 10);

    [Theory]
    [MemberData(nameof(Ids))]
    public void ReproducesEveryIntermediateValueOfTheVector(string id)
    {
        var v = Vectors.Get("cos", id);
        var (signer, parameters, headers, method, path, keyTime) = Read(v);
        var trace = signer.Explain(new CosSigningInput { Method = method, Path = path, Parameters = parameters, Headers = headers, KeyTime = keyTime });
        var e = v.GetProperty("expected");

        Assert.Equal(e.GetProperty("sign_key").GetString(), trace.SignKey);
        Assert.Equal(e.GetProperty("url_param_list").GetString(), trace.UrlParamList);
        Assert.Equal(e.GetProperty("http_parameters").GetString(), trace.HttpParameters);
        Assert.Equal(e.GetProperty("header_list").GetString(), trace.HeaderList);
        Assert.Equal(e.GetProperty("http_headers").GetString(), trace.HttpHeaders);
        Assert.Equal(e.GetProperty("http_string").GetString(), trace.HttpString);
        Assert.Equal(e.GetProperty("string_to_sign").GetString(), trace.StringToSign);
        Assert.Equal(e.GetProperty("signature").GetString(), trace.Signature);
        Assert.Equal(e.GetProperty("authorization").GetString(), trace.Authorization);
        // The fast path agrees.
        Assert.Equal(trace.Authorization, signer.Sign(new CosSigningInput { Method = method, Path = path, Parameters = parameters, Headers = headers, KeyTime = keyTime }));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EncodesTheRequestUrlPathAsTheVectorSays(string id)
    {
        var v = Vectors.Get("cos", id);
        if (!v.GetProperty("inputs").TryGetProperty("request", out var request))
        {
            return; // this vector has no request URL to compare
        }

        var url = new Uri(request.GetProperty("url").GetString()!);
        var path = v.GetProperty("inputs").GetProperty("path").GetString()!;
        Assert.Equal(url.AbsolutePath, CosEncoding.EncodeObjectPath(path));
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b", "a%2Bb")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("中文", "%E4%B8%AD%E6%96%87")]
    [InlineData("-_.~AZaz09", "-_.~AZaz09")]
    [InlineData("=;,:\"!'()*", "%3D%3B%2C%3A%22%21%27%28%29%2A")]
    public void EncodesComponentsWithTheCosUnreservedSet(string raw, string encoded) =>
        Assert.Equal(encoded, CosEncoding.EncodeComponent(raw));

    [Theory]
    [InlineData("/dir/./x.ts", "/dir/.%2Fx.ts")]
    [InlineData("dir/../x.ts", "/dir/..%2Fx.ts")]
    [InlineData("/中文 片段 1.ts", "/%E4%B8%AD%E6%96%87%20%E7%89%87%E6%AE%B5%201.ts")]
    public void ObjectPathsCannotBecomeDotSegments(string key, string path) =>
        Assert.Equal(path, CosEncoding.EncodeObjectPath(key));

    [Fact]
    public void KeyTimeRoundTrips()
    {
        Assert.True(CosKeyTime.TryParse("1699999940;1700010000", out var kt));
        Assert.Equal(new CosKeyTime(1699999940, 1700010000), kt);
        Assert.Equal("1699999940;1700010000", kt.ToString());
        Assert.False(CosKeyTime.TryParse("nonsense", out _));
    }

    private static (CosSigner, KeyValuePair<string, string>[], KeyValuePair<string, string>[], string, string, CosKeyTime) Read(JsonElement v)
    {
        var i = v.GetProperty("inputs");
        var signer = new CosSigner(i.GetProperty("secret_id").GetString()!, i.GetProperty("secret_key").GetString()!);
        var parameters = i.GetProperty("signed_params").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)).ToArray();
        var headers = i.GetProperty("signed_headers").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)).ToArray();
        Assert.True(CosKeyTime.TryParse(i.GetProperty("key_time").GetString(), out var keyTime));
        return (signer, parameters, headers, i.GetProperty("method").GetString()!, i.GetProperty("path").GetString()!, keyTime);
    }
}
