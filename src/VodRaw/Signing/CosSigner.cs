using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace VodRaw.Signing;

/// <summary>
/// COS request signer (<c>q-sign-algorithm=sha1</c>, see spec/cos-signing.md). Pure: the key window comes from the
/// caller. The SignKey (an HMAC of the window) is cached, since one window serves many requests.
/// </summary>
internal sealed class CosSigner
{
    private const int StackLimit = 2048;
    private const int MaxItems = 64;

    private readonly string _secretId;
    private readonly byte[] _secretKey;
    private SignKeyEntry? _signKey;

    public CosSigner(string secretId, string secretKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretId);
        ArgumentException.ThrowIfNullOrEmpty(secretKey);
        _secretId = secretId;
        _secretKey = Encoding.UTF8.GetBytes(secretKey);
    }

    /// <summary>Returns the Authorization header value; allocates only that string for ordinary requests.</summary>
    public string Sign(in CosSigningInput input) => Compute(input, trace: false, out _);

    /// <summary>Every intermediate value; same code path as <see cref="Sign"/>.</summary>
    public CosTrace Explain(in CosSigningInput input)
    {
        Compute(input, trace: true, out var result);
        return result!;
    }

    private string Compute(in CosSigningInput input, bool trace, out CosTrace? traceResult)
    {
        var parameters = input.Parameters;
        var headers = input.Headers;
        var count = parameters.Length + headers.Length;
        if (count > MaxItems)
        {
            throw new ArgumentException($"At most {MaxItems} headers and parameters can be signed.", nameof(input));
        }

        // Scratch holds the encoded names and values; the HttpString is written after them.
        var scratchSize = 64 + CosEncoding.MaxEncodedLength(input.Path.Length);
        foreach (var kv in parameters)
        {
            scratchSize += CosEncoding.MaxEncodedLength(kv.Key.Length + kv.Value.Length) + 2;
        }

        foreach (var kv in headers)
        {
            scratchSize += CosEncoding.MaxEncodedLength(kv.Key.Length + kv.Value.Length) + 2;
        }

        scratchSize *= 2; // encoded items, then the HttpString that repeats them
        byte[]? rented = null;
        var scratch = scratchSize <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(scratchSize));
        try
        {
            Span<Entry> entries = stackalloc Entry[count];
            var w = new SpanWriter(scratch);
            for (var i = 0; i < count; i++)
            {
                var kv = i < parameters.Length ? parameters[i] : headers[i - parameters.Length];
                var nameStart = w.Position;
                CosEncoding.Encode(kv.Key, ref w, lowerCase: true);
                var valueStart = w.Position;
                CosEncoding.Encode(kv.Value, ref w, lowerCase: false);
                entries[i] = new Entry(nameStart, valueStart - nameStart, valueStart, w.Position - valueStart);
            }

            var encoded = scratch[..w.Position];
            var paramEntries = entries[..parameters.Length];
            var headerEntries = entries[parameters.Length..];
            Sort(paramEntries, encoded);
            Sort(headerEntries, encoded);

            // HttpString = lower(method) \n path \n k=v&k=v \n k=v&k=v \n
            var h = new SpanWriter(scratch[w.Position..]);
            h.WriteAsciiLower(input.Method);
            h.Write((byte)'\n');
            h.WriteUtf8(input.Path);
            h.Write((byte)'\n');
            var parametersStart = h.Position;
            WritePairs(ref h, paramEntries, encoded);
            var parametersEnd = h.Position;
            h.Write((byte)'\n');
            var headersStart = h.Position;
            WritePairs(ref h, headerEntries, encoded);
            var headersEnd = h.Position;
            h.Write((byte)'\n');
            var httpString = h.Written;

            Span<byte> sha1 = stackalloc byte[20];
            ThreadHashes.Sha1(httpString, sha1);

            var signKey = GetSignKey(input.KeyTime);
            Span<byte> stringToSign = stackalloc byte[5 + signKey.KeyTimeUtf8.Length + 1 + 40 + 1];
            var s = new SpanWriter(stringToSign);
            s.Write("sha1\n"u8);
            s.Write(signKey.KeyTimeUtf8);
            s.Write((byte)'\n');
            Span<byte> hex = stackalloc byte[40];
            Hex.EncodeLower(sha1, hex);
            s.Write(hex);
            s.Write((byte)'\n');

            ThreadHashes.HmacSha1(signKey.HexUtf8, s.Written, sha1);
            Span<byte> signature = stackalloc byte[40];
            Hex.EncodeLower(sha1, signature);

            var authorization = BuildAuthorization(signKey.KeyTimeText, paramEntries, headerEntries, encoded, signature);
            traceResult = !trace ? null : new CosTrace(
                SignKey: Encoding.ASCII.GetString(signKey.HexUtf8),
                UrlParamList: JoinNames(paramEntries, encoded),
                HttpParameters: Encoding.ASCII.GetString(httpString[parametersStart..parametersEnd]),
                HeaderList: JoinNames(headerEntries, encoded),
                HttpHeaders: Encoding.ASCII.GetString(httpString[headersStart..headersEnd]),
                HttpString: Encoding.UTF8.GetString(httpString),
                StringToSign: Encoding.ASCII.GetString(s.Written),
                Signature: Encoding.ASCII.GetString(signature),
                Authorization: authorization);
            return authorization;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private string BuildAuthorization(
        string keyTime, ReadOnlySpan<Entry> parameters, ReadOnlySpan<Entry> headers, ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> signature)
    {
        // q-sign-algorithm=sha1&q-ak=<id>&q-sign-time=<kt>&q-key-time=<kt>&q-header-list=<h;h>&q-url-param-list=<p;p>&q-signature=<hex>
        var length = "q-sign-algorithm=sha1&q-ak=".Length + _secretId.Length + "&q-sign-time=".Length + keyTime.Length
            + "&q-key-time=".Length + keyTime.Length + "&q-header-list=".Length + NamesLength(headers)
            + "&q-url-param-list=".Length + NamesLength(parameters) + "&q-signature=".Length + 40;
        char[]? rented = null;
        var chars = length <= 1024 ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length)).AsSpan(0, length);
        var w = new CharWriter(chars);
        w.Write("q-sign-algorithm=sha1&q-ak=");
        w.Write(_secretId);
        w.Write("&q-sign-time=");
        w.Write(keyTime);
        w.Write("&q-key-time=");
        w.Write(keyTime);
        w.Write("&q-header-list=");
        WriteNames(ref w, headers, encoded);
        w.Write("&q-url-param-list=");
        WriteNames(ref w, parameters, encoded);
        w.Write("&q-signature=");
        w.WriteAscii(signature);
        var result = new string(w.Written);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return result;
    }

    private SignKeyEntry GetSignKey(CosKeyTime keyTime)
    {
        var cached = _signKey;
        if (cached is not null && cached.KeyTime == keyTime)
        {
            return cached;
        }

        var text = keyTime.ToString();
        var keyTimeUtf8 = Encoding.ASCII.GetBytes(text);
        Span<byte> mac = stackalloc byte[20];
        HMACSHA1.HashData(_secretKey, keyTimeUtf8, mac);
        var hex = new byte[40];
        Hex.EncodeLower(mac, hex);
        var entry = new SignKeyEntry(keyTime, text, keyTimeUtf8, hex);
        _signKey = entry;
        return entry;
    }

    private static void Sort(Span<Entry> entries, ReadOnlySpan<byte> encoded)
    {
        // Insertion sort: a handful of items, no allocation, ordinal byte order of the encoded lower-case names.
        for (var i = 1; i < entries.Length; i++)
        {
            var current = entries[i];
            var j = i - 1;
            while (j >= 0 && entries[j].Name(encoded).SequenceCompareTo(current.Name(encoded)) > 0)
            {
                entries[j + 1] = entries[j];
                j--;
            }

            entries[j + 1] = current;
        }
    }

    private static void WritePairs(ref SpanWriter w, ReadOnlySpan<Entry> entries, ReadOnlySpan<byte> encoded)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            if (i > 0)
            {
                w.Write((byte)'&');
            }

            w.Write(entries[i].Name(encoded));
            w.Write((byte)'=');
            w.Write(entries[i].Value(encoded));
        }
    }

    private static int NamesLength(ReadOnlySpan<Entry> entries)
    {
        var n = Math.Max(0, entries.Length - 1);
        foreach (var e in entries)
        {
            n += e.NameLength;
        }

        return n;
    }

    private static void WriteNames(ref CharWriter w, ReadOnlySpan<Entry> entries, ReadOnlySpan<byte> encoded)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            if (i > 0)
            {
                w.Write(';');
            }

            w.WriteAscii(entries[i].Name(encoded));
        }
    }

    private static string JoinNames(ReadOnlySpan<Entry> entries, ReadOnlySpan<byte> encoded)
    {
        Span<char> chars = stackalloc char[NamesLength(entries)];
        var w = new CharWriter(chars);
        WriteNames(ref w, entries, encoded);
        return new string(w.Written);
    }

    private readonly record struct Entry(int NameStart, int NameLength, int ValueStart, int ValueLength)
    {
        public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> encoded) => encoded.Slice(NameStart, NameLength);

        public ReadOnlySpan<byte> Value(ReadOnlySpan<byte> encoded) => encoded.Slice(ValueStart, ValueLength);
    }

    private sealed record SignKeyEntry(CosKeyTime KeyTime, string KeyTimeText, byte[] KeyTimeUtf8, byte[] HexUtf8);
}
