using System.Buffers;
using System.Text.Json;

namespace VodRaw.Checkpoints;

/// <summary>
/// Encodes checkpoints in <see cref="CheckpointCodec"/>'s format into buffers it keeps from one call to the next. A
/// live upload rewrites its growing checkpoint up to once a second (some 120 bytes per confirmed part: a quarter of a
/// MiB at 2,000 parts); fresh arrays of that size land in the large-object heap, which only a full collection frees,
/// so they stayed resident and grew the process with the upload's length (benchmarks/README.md, "Memory flatness").
/// Not thread-safe: one owner at a time (a recorder's writer).
/// </summary>
internal sealed class CheckpointEncoder
{
    private readonly ArrayBufferWriter<byte> _body = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly byte[] _header = new byte[CheckpointCodec.MaxHeaderLength];

    public CheckpointEncoder() => _json = new Utf8JsonWriter(_body);

    /// <summary>The header line and the JSON body of <paramref name="document"/>; valid until the next call.</summary>
    public (ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Body) Encode(CheckpointDocument document)
    {
        _body.ResetWrittenCount();
        _json.Reset(_body);
        JsonSerializer.Serialize(_json, document, CheckpointJsonContext.Default.CheckpointDocument);
        _json.Flush();
        var header = CheckpointCodec.WriteHeader(document.Schema, _body.WrittenSpan, _header);
        return (_header.AsMemory(0, header), _body.WrittenMemory);
    }
}
