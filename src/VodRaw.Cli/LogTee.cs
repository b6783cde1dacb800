using System.Text;

namespace VodRaw.Cli;

/// <summary>
/// Passes everything to <paramref name="inner"/> and copies each complete line that <paramref name="copy"/> accepts
/// to the log file: how it gets the run's result and error lines without its progress lines.
/// </summary>
internal sealed class LogTee(TextWriter inner, RequestLog log, Func<string, bool> copy) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        inner.Write(value);
        Collect(value);
    }

    public override void Write(string? value)
    {
        inner.Write(value);
        foreach (var c in value ?? string.Empty)
        {
            Collect(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        WriteLine();
    }

    public override void Flush() => inner.Flush();

    private void Collect(char c)
    {
        lock (_line)
        {
            if (c == '\n')
            {
                var line = _line.ToString().TrimEnd('\r');
                _line.Clear();
                if (copy(line))
                {
                    log.WriteToFile(line);
                }
            }
            else
            {
                _line.Append(c);
            }
        }
    }
}
