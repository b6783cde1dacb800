using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace VodRaw.Emulator.Origin;

/// <summary>
/// One request an <see cref="EmulatorOrigin"/> received, logged on arrival and completed as it is answered. Unlike the
/// VOD/COS emulator's log it keeps header values (<see cref="Header"/>), so that a test can check what reached the
/// origin — an <c>Authorization</c>, a <c>Range</c>; the origin is a test fixture and its values are the test's own.
/// </summary>
public sealed class OriginRequest
{
    private readonly Dictionary<string, string> _headers;
    private int _status;
    private long _bytesSent;
    private int _fault = -1;

    internal OriginRequest(string method, string path, string query, IHeaderDictionary headers)
    {
        Method = method;
        Path = path;
        Query = query;
        _headers = new Dictionary<string, string>(headers.Count, StringComparer.OrdinalIgnoreCase);
        var names = new List<string>(headers.Count);
        foreach (var (name, values) in headers)
        {
            names.Add(name);
            _headers[name] = values.ToString(); // several fields of one name: their values joined with ","
        }

        HeaderNames = names;
    }

    /// <summary>The HTTP method.</summary>
    public string Method { get; }

    /// <summary>
    /// The object path asked for: decoded, without the leading slash (as given to <see cref="EmulatorOrigin.Put"/>);
    /// the raw path as received when it is not one an object can have (a dot segment, an encoded slash…).
    /// </summary>
    public string Path { get; }

    /// <summary>The query as received, with its leading <c>?</c>; empty when there is none.</summary>
    public string Query { get; }

    /// <summary>The <c>Range</c> header's value, or null.</summary>
    public string? Range => Header("Range");

    /// <summary>The <c>If-Match</c> header's value, or null.</summary>
    public string? IfMatch => Header("If-Match");

    /// <summary>The <c>If-Unmodified-Since</c> header's value, or null.</summary>
    public string? IfUnmodifiedSince => Header("If-Unmodified-Since");

    /// <summary>The names of the headers received (Kestrel's order, not the wire's).</summary>
    public IReadOnlyList<string> HeaderNames { get; }

    /// <summary>The status answered (also when the connection was dropped after the headers); 0 while undecided.</summary>
    public int Status => Volatile.Read(ref _status);

    /// <summary>Body bytes the origin wrote for this answer (handed to the connection: a client that went away may have received fewer).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>The injected fault that last shaped this answer, if any.</summary>
    public OriginFaultKind? Fault => Volatile.Read(ref _fault) is var f and >= 0 ? (OriginFaultKind)f : null;

    /// <summary>Whether a header of this name was received (case-insensitive).</summary>
    public bool HasHeader(string name) => _headers.ContainsKey(name);

    /// <summary>A received header's value (several fields of one name joined with a comma), or null.</summary>
    public string? Header(string name) => _headers.GetValueOrDefault(name);

    /// <summary>One line: method, path, query, range, status, bytes sent, fault.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Method} /{Path}{Query}{(Range is { } r ? " range=" + r : string.Empty)} status={Status} bytes={BytesSent}{(Fault is { } f ? " fault=" + f : string.Empty)}");

    internal void Answered(int status) => Volatile.Write(ref _status, status);

    internal void Sending(long bytes) => Interlocked.Add(ref _bytesSent, bytes);

    internal void ShapedBy(OriginFaultKind fault) => Volatile.Write(ref _fault, (int)fault);
}
