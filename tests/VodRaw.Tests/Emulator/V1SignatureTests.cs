using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VodRaw.Emulator;
using VodRaw.Emulator.Vod;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

/// <summary>Signature v1 (HmacSHA1/HmacSHA256 over sorted parameters), as Tencent's Node.js SDK signs by default.</summary>
public sealed class V1SignatureTests
{
    public static TheoryData<string> Ids => Vectors.Ids("tc-v1");

    [Theory]
    [MemberData(nameof(Ids))]
    public void TheVerifierMatchesTheKnownAnswers(string id)
    {
        var v = Vectors.Get("tc-v1", id);
        var parameters = v.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        var (method, host, path) = (v.GetProperty("method").GetString()!, v.GetProperty("host").GetString()!, v.GetProperty("path").GetString()!);
        Assert.Equal(v.GetProperty("expected").GetProperty("stringToSign").GetString(), V1Verifier.StringToSign(method, host, path, parameters));

        parameters["Signature"] = v.GetProperty("expected").GetProperty("signature").GetString()!;
        var now = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parameters["Timestamp"], System.Globalization.CultureInfo.InvariantCulture) + 10);
        var credential = new EmulatorCredential(parameters["SecretId"], v.GetProperty("secretKey").GetString()!, parameters.GetValueOrDefault("Token"));
        Assert.Null(V1Verifier.Verify(method, host, path, parameters, now, id => id == credential.SecretId ? credential : null));

        var late = V1Verifier.Verify(method, host, path, parameters, now.AddSeconds(301), _ => credential);
        Assert.Equal("AuthFailure.SignatureExpire", late?.Code);
        parameters["Nonce"] += "1";
        var tampered = V1Verifier.Verify(method, host, path, parameters, now, _ => credential);
        Assert.Equal("AuthFailure.SignatureFailure", tampered?.Code);
        Assert.Contains("The emulator signed this string", tampered?.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(credential.SecretKey, tampered?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HmacSHA1", "POST")]
    [InlineData("HmacSHA256", "POST")]
    [InlineData("HmacSHA256", "GET")]
    public async Task AV1SignedApplyUploadIsServedWithTheApiEnvelope(string method, string httpMethod)
    {
        await using var emulator = await VodEmulator.StartAsync();
        using var http = new HttpClient();
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Action"] = "ApplyUpload", ["Version"] = "2018-07-17", ["Region"] = "ap-guangzhou", ["MediaType"] = "mp4", ["MediaName"] = "v1 clip",
            ["Timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), ["Nonce"] = "777",
            ["SecretId"] = emulator.Credential.SecretId, ["SignatureMethod"] = method,
        };
        var host = emulator.VodEndpoint.Authority;
        var toSign = httpMethod + host + "/?" + string.Join('&', parameters.Select(p => p.Key + "=" + p.Value));
        var key = Encoding.UTF8.GetBytes(emulator.Credential.SecretKey);
        var mac = method == "HmacSHA1" ? HMACSHA1.HashData(key, Encoding.UTF8.GetBytes(toSign)) : HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign));
        parameters["Signature"] = Convert.ToBase64String(mac);
        var encoded = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

        using var request = httpMethod == "GET"
            ? new HttpRequestMessage(HttpMethod.Get, new Uri(emulator.VodEndpoint, "/?" + encoded))
            : new HttpRequestMessage(HttpMethod.Post, emulator.VodEndpoint) { Content = new StringContent(encoded, new MediaTypeHeaderValue("application/x-www-form-urlencoded")) };
        using var response = await http.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var result = json.RootElement.GetProperty("Response");
        Assert.False(result.TryGetProperty("Error", out var error), error.ToString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("VodSessionKey").GetString()));
        Assert.EndsWith(".mp4", result.GetProperty("MediaStoragePath").GetString(), StringComparison.Ordinal);

        // The same request with a wrong signature is refused, saying what the emulator signed.
        parameters["Signature"] = Convert.ToBase64String(new byte[mac.Length]);
        encoded = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        using var bad = await http.PostAsync(emulator.VodEndpoint, new StringContent(encoded, new MediaTypeHeaderValue("application/x-www-form-urlencoded")));
        using var refused = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        var refusal = refused.RootElement.GetProperty("Response").GetProperty("Error");
        Assert.Equal("AuthFailure.SignatureFailure", refusal.GetProperty("Code").GetString());
        Assert.Contains("POST" + host + "/?Action=ApplyUpload&", refusal.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }
}

public sealed class EmulatorClientHelpersTests
{
    [Fact]
    public async Task CreateClientUploadsToTheEmulatorWithItsOwnKeys()
    {
        await using var emulator = await VodEmulator.StartAsync();
        var path = Path.Combine(Path.GetTempPath(), $"vodraw-helper-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(path, new byte[4096]);
        try
        {
            using var client = emulator.CreateClient(o => o.Transfer = new TransferOptions { Concurrency = 2 });
            var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });
            Assert.False(string.IsNullOrEmpty(response.FileId));
            Assert.Equal(1, emulator.CommittedSessions);
            VodCredential temporary = emulator.TemporaryCredential;
            Assert.Equal(emulator.TemporaryCredential.Token, temporary.Token);
            Assert.Equal(emulator.CosEndpoint + "{bucket}", emulator.ClientOptions().CosEndpointTemplate);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
