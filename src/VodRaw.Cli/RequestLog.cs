using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace VodRaw.Cli;

/// <summary>
/// <c>--verbose</c> and <c>--log-file</c>: the library's <c>VodRaw</c> EventSource as one logfmt line per event:
/// every request (operation, part, status, attempts, duration, outcome, RequestId), every retry (the failed attempt's
/// status, code and reason, and the backoff), the upload's start and end. The payloads hold no secret, signature or
/// header value by the EventSource's contract, so nothing here needs redacting.
/// </summary>
/// <remarks>
/// EventSource events are process-wide; a log writes only the events raised inside its own run (an async-local
/// scope), so two runs in one process (the tests) do not write each other's requests.
/// </remarks>
internal sealed class RequestLog : EventListener
{
    private static readonly AsyncLocal<RequestLog?> Scope = new();

    private readonly object _gate = new();
    private readonly TextWriter[] _sinks = [];
    private readonly TextWriter? _file;
    private EventSource? _source;

    /// <param name="console">Standard error with --verbose, else null.</param>
    /// <param name="file">The --log-file, else null.</param>
    public RequestLog(TextWriter? console, TextWriter? file)
    {
        // EventListener's constructor reports existing sources before this body runs: remember, enable here.
        _file = file;
        _sinks = [.. new[] { console, file }.OfType<TextWriter>()];
        Scope.Value = this;
        if (_source is { } source)
        {
            EnableEvents(source, EventLevel.Verbose);
        }
    }

    /// <summary>Writes a request line of the command's own (the emulator's served requests) where the events go.</summary>
    public void WriteRequest(string line)
    {
        foreach (var sink in _sinks)
        {
            Write(sink, line);
        }
    }

    /// <summary>Writes a line of the CLI's own (a result, an error, the final summary) to the log file only.</summary>
    public void WriteToFile(string line)
    {
        if (_file is not null)
        {
            Write(_file, line);
        }
    }

    public override void Dispose()
    {
        if (Scope.Value == this)
        {
            Scope.Value = null;
        }

        base.Dispose();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name != VodRaw.Diagnostics.VodRawTelemetry.Name)
        {
            return;
        }

        _source = eventSource;
        if (_sinks.Length > 0)
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (Scope.Value != this || eventData.EventSource.Name != VodRaw.Diagnostics.VodRawTelemetry.Name)
        {
            return;
        }

        WriteRequest(Format(eventData));
    }

    private void Write(TextWriter sink, string line)
    {
        lock (_gate)
        {
            sink.WriteLine(Stamp() + line);
            sink.Flush();
        }
    }

    /// <summary><c>EventName key=value …</c>; empty strings and a part number of 0 (not a part) are left out.</summary>
    internal static string Format(EventWrittenEventArgs e)
    {
        var line = new StringBuilder(e.EventName ?? "Event" + e.EventId.ToString(CultureInfo.InvariantCulture));
        var names = e.PayloadNames;
        var values = e.Payload;
        for (var i = 0; names is not null && values is not null && i < names.Count && i < values.Count; i++)
        {
            var text = values[i] switch
            {
                null => null,
                string s => s,
                double d => d.ToString("0.#", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString(),
            };
            if (string.IsNullOrEmpty(text) || (names[i] == "part" && text == "0"))
            {
                continue;
            }

            line.Append(' ').Append(names[i]).Append('=');
            if (text.AsSpan().IndexOfAny(" \"=") >= 0)
            {
                line.Append('"').Append(text.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                line.Append(text);
            }
        }

        return line.ToString();
    }

    private static string Stamp() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z' ", CultureInfo.InvariantCulture);
}
