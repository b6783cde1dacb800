using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Emulator;

/// <summary>
/// The emulator accepts the exact requests of the VOD-shaped TC3 vectors (what the official SDKs send), replayed byte
/// for byte at the vector's instant with the vector's keys, and rejects them once any byte changes.
/// </summary>
public class VectorReplayTests
{
    public static TheoryData<string> VodIds => new(Vectors.Load("tc3").Where(v => v.GetProperty("inputs").GetProperty("service").GetString() == "vod").Select(v => v.GetProperty("id").GetString()!));

    [Theory]
    [MemberData(nameof(VodIds))]
    public async Task AcceptsTheVectorsRequestAsSent(string id)
    {
        var code = await ReplayAsync(id, tamper: false);
        Assert.False(code?.StartsWith("AuthFailure", StringComparison.Ordinal) ?? false, $"signature rejected: {code}");
    }

    [Theory]
    [MemberData(nameof(VodIds))]
    public async Task RejectsTheVectorsRequestWithOneBodyByteChanged(string id) =>
        Assert.Equal("AuthFailure.SignatureFailure", await ReplayAsync(id, tamper: true));

    private static async Task<string?> ReplayAsync(string id, bool tamper)
    {
        var v = Vectors.Get("tc3", id);
        var i = v.GetProperty("inputs");
        var token = i.OptionalString("token");
        var credential = new EmulatorCredential(i.GetProperty("secret_id").GetString()!, i.GetProperty("secret_key").GetString()!, token);
        var options = new VodEmulatorOptions { TimeProvider = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(i.GetProperty("timestamp").GetInt64())) };
        if (token is null)
        {
            options.Credential = credential;
        }
        else
        {
            options.TemporaryCredential = credential;
        }

        await using var emulator = await VodEmulator.StartAsync(options);
        using var http = new HttpClient();
        var body = Encoding.UTF8.GetBytes(i.GetProperty("payload").GetString()!);
        if (tamper)
        {
            body[^2] ^= 1;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, emulator.VodEndpoint) { Content = new ByteArrayContent(body) };
        foreach (var header in v.GetProperty("expected").GetProperty("request_headers").EnumerateObject())
        {
            switch (header.Name)
            {
                case "Content-Type":
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(header.Value.GetString()!);
                    break;
                case "Host":
                    request.Headers.Host = header.Value.GetString();
                    break;
                default:
                    request.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
                    break;
            }
        }

        var response = await http.SendAsync(request);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("Response");
        return json.TryGetProperty("Error", out var error) ? error.GetProperty("Code").GetString() : null;
    }
}
