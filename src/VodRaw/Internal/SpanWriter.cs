using System.Globalization;
using System.Text;

namespace VodRaw;

/// <summary>Appends bytes to a fixed span; throws if the caller under-sized it (a bug, never user input).</summary>
internal ref struct SpanWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public SpanWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public void Write(byte value) => _buffer[_position++] = value;

    public void Write(scoped ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    public void WriteUtf8(scoped ReadOnlySpan<char> value) =>
        _position += Encoding.UTF8.GetBytes(value, _buffer[_position..]);

    /// <summary>Writes ASCII letters lower-cased; other characters as UTF-8.</summary>
    public void WriteAsciiLower(scoped ReadOnlySpan<char> value)
    {
        var start = _position;
        WriteUtf8(value);
        var written = _buffer[start.._position];
        for (var i = 0; i < written.Length; i++)
        {
            var b = written[i];
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                written[i] = (byte)(b | 0x20);
            }
        }
    }

    public void WriteInt64(long value)
    {
        if (!value.TryFormat(_buffer[_position..], out var n, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("SpanWriter buffer too small.");
        }

        _position += n;
    }
}

/// <summary>Appends characters to a fixed span.</summary>
internal ref struct CharWriter
{
    private readonly Span<char> _buffer;
    private int _position;

    public CharWriter(Span<char> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly ReadOnlySpan<char> Written => _buffer[.._position];

    public void Write(char value) => _buffer[_position++] = value;

    public void Write(scoped ReadOnlySpan<char> value)
    {
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    /// <summary>Widens ASCII bytes to characters.</summary>
    public void WriteAscii(scoped ReadOnlySpan<byte> value)
    {
        var n = Encoding.ASCII.GetChars(value, _buffer[_position..]);
        _position += n;
    }
}
