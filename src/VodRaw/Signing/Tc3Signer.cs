using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VodRaw.Signing;

/// <summary>
/// TC3-HMAC-SHA256 signer for TencentCloud API 3.0 (see spec/tc3-signing.md). A pure function of the input and the
/// credential: no clock inside. The derived signing key is cached per (UTC date, service), so repeated signatures on
/// the same day cost two SHA-256 and one HMAC.
/// </summary>
internal sealed class Tc3Signer
{
    public const string Algorithm = "TC3-HMAC-SHA256";
    private const int StackLimit = 1024;

    private readonly string _secretId;
    private readonly byte[] _rootKey; // UTF-8 of "TC3" + SecretKey
    private DerivedKey? _derived;

    public Tc3Signer(VodCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        _secretId = credential.SecretId;
        _rootKey = Encoding.UTF8.GetBytes("TC3" + credential.SecretKey);
    }

    /// <summary>Returns the Authorization header value. Allocates only that string (and a rented buffer for large headers).</summary>
    public string Sign(in Tc3SigningInput input)
    {
        Span<byte> date = stackalloc byte[10];
        WriteDate(input.Timestamp, date);
        Span<byte> signature = stackalloc byte[64];
        ComputeSignature(input, date, signature, trace: null);
        return BuildAuthorization(input, date, signature);
    }

    /// <summary>Computes every intermediate value (tests, diagnostics). Shares all code with <see cref="Sign"/>.</summary>
    public Tc3Trace Explain(in Tc3SigningInput input)
    {
        Span<byte> date = stackalloc byte[10];
        WriteDate(input.Timestamp, date);
        Span<byte> signature = stackalloc byte[64];
        var parts = new string[4];
        ComputeSignature(input, date, signature, parts);
        var dateText = Encoding.ASCII.GetString(date);
        return new Tc3Trace(
            HashedPayload: parts[0],
            CanonicalRequest: parts[1],
            HashedCanonicalRequest: parts[2],
            CredentialScope: $"{dateText}/{input.Service}/tc3_request",
            StringToSign: parts[3],
            Signature: Encoding.ASCII.GetString(signature),
            Authorization: BuildAuthorization(input, date, signature));
    }

    /// <summary>The signed-header list for the input's mode.</summary>
    public static string SignedHeaders(bool signAction) => signAction ? "content-type;host;x-tc-action" : "content-type;host";

    /// <summary>The UTC date (yyyy-MM-dd) of a Unix timestamp, as used in the credential scope.</summary>
    public static void WriteDate(long timestamp, Span<byte> destination)
    {
        var utc = DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime;
        if (!utc.TryFormat(destination, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture) || written != 10)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), "The timestamp is outside the years 0001-9999.");
        }
    }

    private void ComputeSignature(in Tc3SigningInput input, ReadOnlySpan<byte> date, Span<byte> signatureHex, string[]? trace)
    {
        // Canonical request: method \n uri \n query \n canonical headers (each ending in \n) \n signed headers \n hex(sha256(body))
        var maxCanonical = 160
            + Encoding.UTF8.GetMaxByteCount(input.Method.Length + input.Path.Length + input.Query.Length
                + input.ContentType.Length + input.Host.Length + input.Action.Length);
        byte[]? rented = null;
        var canonical = maxCanonical <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(maxCanonical));
        try
        {
            Span<byte> hash = stackalloc byte[32];
            ThreadHashes.Sha256(input.Payload, hash);
            Span<byte> payloadHex = stackalloc byte[64];
            Hex.EncodeLower(hash, payloadHex);

            var w = new SpanWriter(canonical);
            w.WriteUtf8(input.Method);
            w.Write((byte)'\n');
            w.WriteUtf8(input.Path);
            w.Write((byte)'\n');
            w.WriteUtf8(input.Query);
            w.Write((byte)'\n');
            w.Write("content-type:"u8);
            w.WriteUtf8(input.ContentType.AsSpan().Trim());
            w.Write("\nhost:"u8);
            w.WriteUtf8(input.Host.AsSpan().Trim());
            w.Write((byte)'\n');
            if (input.SignAction)
            {
                w.Write("x-tc-action:"u8);
                w.WriteAsciiLower(input.Action.AsSpan().Trim());
                w.Write((byte)'\n');
            }

            w.Write((byte)'\n');
            w.Write(input.SignAction ? "content-type;host;x-tc-action"u8 : "content-type;host"u8);
            w.Write((byte)'\n');
            w.Write(payloadHex);
            var canonicalBytes = w.Written;

            ThreadHashes.Sha256(canonicalBytes, hash);
            Span<byte> canonicalHex = stackalloc byte[64];
            Hex.EncodeLower(hash, canonicalHex);

            // String to sign: algorithm \n timestamp \n scope \n hex(sha256(canonical request))
            Span<byte> stringToSign = stackalloc byte[256];
            var s = new SpanWriter(stringToSign);
            s.Write("TC3-HMAC-SHA256\n"u8);
            s.WriteInt64(input.Timestamp);
            s.Write((byte)'\n');
            s.Write(date);
            s.Write((byte)'/');
            s.WriteUtf8(input.Service);
            s.Write("/tc3_request\n"u8);
            s.Write(canonicalHex);

            ThreadHashes.HmacSha256(GetSigningKey(date, input.Service), s.Written, hash);
            Hex.EncodeLower(hash, signatureHex);

            if (trace is not null)
            {
                trace[0] = Encoding.ASCII.GetString(payloadHex);
                trace[1] = Encoding.UTF8.GetString(canonicalBytes);
                trace[2] = Encoding.ASCII.GetString(canonicalHex);
                trace[3] = Encoding.UTF8.GetString(s.Written);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private byte[] GetSigningKey(ReadOnlySpan<byte> date, string service)
    {
        var cached = _derived;
        if (cached is not null && cached.Service == service && date.SequenceEqual(cached.Date))
        {
            return cached.Key;
        }

        Span<byte> serviceBytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(service.Length)];
        serviceBytes = serviceBytes[..Encoding.UTF8.GetBytes(service, serviceBytes)];
        Span<byte> kDate = stackalloc byte[32];
        HMACSHA256.HashData(_rootKey, date, kDate);
        Span<byte> kService = stackalloc byte[32];
        HMACSHA256.HashData(kDate, serviceBytes, kService);
        var key = new byte[32];
        HMACSHA256.HashData(kService, "tc3_request"u8, key);
        // Publishing a new immutable entry is atomic; a race only costs a recomputation.
        _derived = new DerivedKey(date.ToArray(), service, key);
        return key;
    }

    private string BuildAuthorization(in Tc3SigningInput input, ReadOnlySpan<byte> date, ReadOnlySpan<byte> signatureHex)
    {
        // TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<list>, Signature=<hex>
        var signedHeaders = SignedHeaders(input.SignAction);
        var length = Algorithm.Length + " Credential=".Length + _secretId.Length + 1 + 10 + 1 + input.Service.Length
            + "/tc3_request, SignedHeaders=".Length + signedHeaders.Length + ", Signature=".Length + 64;
        char[]? rented = null;
        var chars = length <= 512 ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length)).AsSpan(0, length);
        var w = new CharWriter(chars);
        w.Write(Algorithm);
        w.Write(" Credential=");
        w.Write(_secretId);
        w.Write('/');
        w.WriteAscii(date);
        w.Write('/');
        w.Write(input.Service);
        w.Write("/tc3_request, SignedHeaders=");
        w.Write(signedHeaders);
        w.Write(", Signature=");
        w.WriteAscii(signatureHex);
        var result = new string(w.Written);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return result;
    }

    private sealed record DerivedKey(byte[] Date, string Service, byte[] Key);
}
