using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace VodRaw.Checkpoints;

/// <summary>
/// The bytes of a checkpoint file: one header line <c>vodraw-checkpoint {schema} sha256={hex}</c> (the SHA-256 of
/// everything after the line), then the document as JSON. Truncation at any offset, a flipped bit or a foreign
/// schema is detected before the JSON is trusted. Pure functions.
/// </summary>
internal static class CheckpointCodec
{
    private const string Magic = "vodraw-checkpoint ";

    /// <summary>The longest header line: the magic, a schema number, the SHA-256 in hex, the newline.</summary>
    public const int MaxHeaderLength = 18 + 11 + 8 + 64 + 1;

    public static byte[] Encode(CheckpointDocument document)
    {
        var (header, body) = new CheckpointEncoder().Encode(document);
        var bytes = new byte[header.Length + body.Length];
        header.Span.CopyTo(bytes);
        body.Span.CopyTo(bytes.AsSpan(header.Length));
        return bytes;
    }

    /// <summary>Writes the header line of <paramref name="body"/> into <paramref name="destination"/> (at least <see cref="MaxHeaderLength"/> bytes); returns its length.</summary>
    public static int WriteHeader(int schema, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var length = Encoding.ASCII.GetBytes(Magic, destination);
        schema.TryFormat(destination[length..], out var digits, provider: CultureInfo.InvariantCulture);
        length += digits;
        length += Encoding.ASCII.GetBytes(" sha256=", destination[length..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        Hex.EncodeLower(hash, destination.Slice(length, 2 * SHA256.HashSizeInBytes));
        length += 2 * SHA256.HashSizeInBytes;
        destination[length++] = (byte)'\n';
        return length;
    }

    /// <summary>The document, or why the bytes are not a usable checkpoint of this schema.</summary>
    public static (CheckpointDocument? Document, string? Problem) Decode(ReadOnlySpan<byte> bytes)
    {
        var newline = bytes.IndexOf((byte)'\n');
        if (newline < 0 || newline > 200)
        {
            return (null, "it has no header line (truncated or not a checkpoint)");
        }

        var header = Encoding.ASCII.GetString(bytes[..newline]);
        var fields = header.StartsWith(Magic, StringComparison.Ordinal) ? header[Magic.Length..].Split(' ') : [];
        if (fields.Length != 2 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var schema)
            || !fields[1].StartsWith("sha256=", StringComparison.Ordinal))
        {
            return (null, "its header line is damaged");
        }

        if (schema != CheckpointDocument.CurrentSchema)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"it has schema version {schema}; this VodRaw reads version {CheckpointDocument.CurrentSchema}"));
        }

        var body = bytes[(newline + 1)..];
        if (!string.Equals(fields[1]["sha256=".Length..], Hex.ToLowerString(SHA256.HashData(body)), StringComparison.Ordinal))
        {
            return (null, "its content does not match its checksum (truncated or damaged)");
        }

        CheckpointDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(body, CheckpointJsonContext.Default.CheckpointDocument);
        }
        catch (JsonException)
        {
            return (null, "its content is not valid JSON");
        }

        return document is { Schema: CheckpointDocument.CurrentSchema, Id.Length: > 0, Files.Count: > 0 }
            ? (document, null)
            : (null, "its content is incomplete");
    }
}
