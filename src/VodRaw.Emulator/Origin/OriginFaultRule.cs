using System.Globalization;

namespace VodRaw.Emulator.Origin;

/// <summary>
/// One declared origin fault, made by an <see cref="OriginFaultPlan"/> method. It applies to requests for
/// <see cref="Path"/> (and with <see cref="Method"/>, when set) that reach the point where its
/// <see cref="Kind"/> acts, and fires for the first <see cref="Times"/> of them; <see cref="Fired"/> counts.
/// </summary>
public sealed class OriginFaultRule
{
    /// <summary>A <see cref="Times"/> that never runs out.</summary>
    public const int Always = int.MaxValue;

    private int _fired;
    private int _seen;

    internal OriginFaultRule(OriginFaultKind kind, string path, string? method, int times)
    {
        Kind = kind;
        Path = path;
        Method = method;
        Times = times;
    }

    /// <summary>What it does.</summary>
    public OriginFaultKind Kind { get; }

    /// <summary>The object path it applies to (no leading slash), compared ordinally.</summary>
    public string Path { get; }

    /// <summary>The HTTP method it applies to (compared ignoring case), or null for any.</summary>
    public string? Method { get; }

    /// <summary>How many matching requests it fires for (<see cref="Always"/>: all); 1 for <see cref="OriginFaultKind.ChangeAfter"/>.</summary>
    public int Times { get; }

    /// <summary>How many times it has fired.</summary>
    public int Fired => Volatile.Read(ref _fired);

    internal int StatusCode { get; init; }

    internal TimeSpan? RetryAfter { get; init; }

    internal TimeSpan Delay { get; init; }

    /// <summary>DropMidBody: bytes sent; ShortBody: bytes missing; WrongTotal: the total announced.</summary>
    internal long Bytes { get; init; }

    /// <summary>ChangeAfter: the number of requests answered from the old content.</summary>
    internal int AfterRequests { get; init; }

    internal byte[]? NewContent { get; init; }

    internal string? NewContentType { get; init; }

    /// <summary>Kind, path, method and what it did so far.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Kind} {Method ?? "*"} {Path} fired={Fired}/{(Times == Always ? "always" : Times.ToString(CultureInfo.InvariantCulture))}");

    internal bool Matches(string key, string method) =>
        string.Equals(key, Path, StringComparison.Ordinal) && (Method is null || string.Equals(method, Method, StringComparison.OrdinalIgnoreCase));

    /// <summary>Counts one firing unless <see cref="Times"/> is used up.</summary>
    internal bool TryFire()
    {
        while (true)
        {
            var fired = Volatile.Read(ref _fired);
            if (fired >= Times)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _fired, fired + 1, fired) == fired)
            {
                return true;
            }
        }
    }

    /// <summary>ChangeAfter: counts a request that found the object; true for the one after which the content changes.</summary>
    internal bool CountTowardsChange() => Interlocked.Increment(ref _seen) == AfterRequests && TryFire();
}
