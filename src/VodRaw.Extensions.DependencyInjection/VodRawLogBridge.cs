using System.Collections;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Extensions.Logging;
using VodRaw.Diagnostics;

namespace VodRaw.Extensions.DependencyInjection;

/// <summary>
/// Forwards the library's <c>VodRaw</c> EventSource to <c>ILogger&lt;VodUploadClient&gt;</c>: upload started/ended at
/// Information (Error for a failure), every request at Debug, every retry at Warning, with the event's payload as
/// structured state. It listens at the most verbose level the logger had enabled when the first client was made.
/// An EventSource is process-wide: with two hosts in one process, each logs the other's uploads too.
/// </summary>
internal sealed class VodRawLogBridge : EventListener
{
    private readonly ILogger? _logger;
    private EventSource? _source;

    public VodRawLogBridge(ILoggerFactory? loggers)
    {
        // EventListener's constructor reports existing sources before this body runs: remember, enable below.
        _logger = loggers?.CreateLogger<VodUploadClient>();
        if (_source is { } source)
        {
            Enable(source);
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name != VodRawTelemetry.Name)
        {
            return;
        }

        _source = eventSource;
        if (_logger is not null)
        {
            Enable(eventSource);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        var level = eventData.Level switch
        {
            EventLevel.Critical => LogLevel.Critical,
            EventLevel.Error => LogLevel.Error,
            EventLevel.Warning => LogLevel.Warning,
            EventLevel.Informational => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (_logger is null || !_logger.IsEnabled(level))
        {
            return;
        }

        _logger.Log(level, new EventId(eventData.EventId, eventData.EventName), new LogState(eventData), null, static (state, _) => state.ToString());
    }

    private void Enable(EventSource source)
    {
        var level = _logger switch
        {
            null => (EventLevel?)null,
            var l when l.IsEnabled(LogLevel.Debug) => EventLevel.Verbose,
            var l when l.IsEnabled(LogLevel.Information) => EventLevel.Informational,
            var l when l.IsEnabled(LogLevel.Warning) => EventLevel.Warning,
            var l when l.IsEnabled(LogLevel.Error) => EventLevel.Error,
            _ => null,
        };
        if (level is { } enabled)
        {
            EnableEvents(source, enabled);
        }
    }

    /// <summary>The payload as name/value pairs (what structured loggers record) and the event's message.</summary>
    private sealed class LogState : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly EventWrittenEventArgs _event;

        public LogState(EventWrittenEventArgs e) => _event = e;

        public int Count => (_event.Payload?.Count ?? 0) + 1;

        public KeyValuePair<string, object?> this[int index] =>
            index == Count - 1
                ? new("{OriginalFormat}", _event.Message)
                : new(_event.PayloadNames![index], _event.Payload![index]);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() =>
            _event.Message is { } message && _event.Payload is { } payload
                ? string.Format(CultureInfo.InvariantCulture, message, [.. payload])
                : _event.EventName ?? "VodRaw event " + _event.EventId.ToString(CultureInfo.InvariantCulture);
    }
}
