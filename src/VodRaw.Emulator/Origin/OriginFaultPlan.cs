namespace VodRaw.Emulator.Origin;

/// <summary>
/// The faults an <see cref="EmulatorOrigin"/> injects, declared by tests at any time. Each method adds a rule for one
/// path (and optionally one method) and returns it, so that the test can assert it <see cref="OriginFaultRule.Fired"/>.
/// Rules are checked in the order added; at each point of a request (on arrival; before a GET's headers; once the
/// object is found) the first rule that applies there and has firings left fires. Thread-safe.
/// </summary>
public sealed class OriginFaultPlan
{
    private readonly List<OriginFaultRule> _rules = [];
    private readonly object _gate = new();

    internal OriginFaultPlan()
    {
    }

    /// <summary>The declared rules, in the order added.</summary>
    public IReadOnlyList<OriginFaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules];
            }
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    /// <summary>
    /// Answers matching requests with <paramref name="statusCode"/> and an empty body, before authorization, method or
    /// path are checked — as a proxy or load balancer in front would.
    /// </summary>
    /// <param name="path">The object path (a leading slash is allowed).</param>
    /// <param name="statusCode">200 to 599, e.g. 503.</param>
    /// <param name="retryAfter">Sent as <c>Retry-After</c> in whole seconds (rounded up), when given.</param>
    /// <param name="method">Only requests with this method; null for any.</param>
    /// <param name="times">How many requests it fires for; <see cref="OriginFaultRule.Always"/> for all. Default 1.</param>
    public OriginFaultRule Status(string path, int statusCode, TimeSpan? retryAfter = null, string? method = null, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (retryAfter is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(retryAfter));
        }

        return Add(new(OriginFaultKind.Status, Key(path), Checked(method), Checked(times)) { StatusCode = statusCode, RetryAfter = retryAfter });
    }

    /// <summary>Holds matching requests back for <paramref name="delay"/> before anything else, then answers them normally.</summary>
    /// <param name="path">The object path.</param>
    /// <param name="delay">How long (real time); a request whose client gives up meanwhile is dropped.</param>
    /// <param name="method">Only requests with this method; null for any.</param>
    /// <param name="times">How many requests it fires for. Default 1.</param>
    public OriginFaultRule DelayHeaders(string path, TimeSpan delay, string? method = null, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return Add(new(OriginFaultKind.DelayHeaders, Key(path), Checked(method), Checked(times)) { Delay = delay });
    }

    /// <summary>
    /// Sends the headers of a matching GET that has a body to send (200 or 206), then nothing, until the client gives up
    /// or the origin is disposed; then drops the connection. For clients' inactivity timeouts.
    /// </summary>
    /// <param name="path">The object path.</param>
    /// <param name="method">Only requests with this method; null for any (only GETs send bodies).</param>
    /// <param name="times">How many requests it fires for. Default 1.</param>
    public OriginFaultRule Stall(string path, string? method = null, int times = 1) =>
        Add(new(OriginFaultKind.Stall, Key(path), Checked(method), Checked(times)));

    /// <summary>
    /// Sends the headers of a matching GET (200 or 206) with the honest <c>Content-Length</c>, then
    /// <paramref name="afterBytes"/> body bytes (or the whole body, if shorter), then drops the connection.
    /// </summary>
    /// <param name="path">The object path.</param>
    /// <param name="afterBytes">Body bytes sent before the drop; 0 or more.</param>
    /// <param name="method">Only requests with this method; null for any.</param>
    /// <param name="times">How many requests it fires for. Default 1.</param>
    public OriginFaultRule DropMidBody(string path, long afterBytes, string? method = null, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterBytes);
        return Add(new(OriginFaultKind.DropMidBody, Key(path), Checked(method), Checked(times)) { Bytes = afterBytes });
    }

    /// <summary>
    /// Sends the headers of a matching GET (200 or 206) with the honest <c>Content-Length</c> and <c>Content-Range</c>,
    /// then all of the body but its last <paramref name="missingBytes"/> (none, if the body is shorter), then drops the
    /// connection: a short body. (A body longer than announced cannot be sent: HTTP/1.1 framing has no room for it, and
    /// Kestrel refuses to write it.)
    /// </summary>
    /// <param name="path">The object path.</param>
    /// <param name="missingBytes">Bytes left unsent at the end; 1 or more.</param>
    /// <param name="method">Only requests with this method; null for any.</param>
    /// <param name="times">How many requests it fires for. Default 1.</param>
    public OriginFaultRule ShortBody(string path, long missingBytes, string? method = null, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(missingBytes);
        return Add(new(OriginFaultKind.ShortBody, Key(path), Checked(method), Checked(times)) { Bytes = missingBytes });
    }

    /// <summary>
    /// Answers a matching ranged GET (206) with the requested bytes and an honest <c>Content-Length</c>, but
    /// <paramref name="total"/> as the total in <c>Content-Range: bytes a-b/total</c>.
    /// </summary>
    /// <param name="path">The object path.</param>
    /// <param name="total">The total announced; 0 or more.</param>
    /// <param name="method">Only requests with this method; null for any.</param>
    /// <param name="times">How many requests it fires for. Default 1.</param>
    public OriginFaultRule WrongTotal(string path, long total, string? method = null, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        return Add(new(OriginFaultKind.WrongTotal, Key(path), Checked(method), Checked(times)) { Bytes = total });
    }

    /// <summary>
    /// Replaces the object at <paramref name="path"/> with <paramref name="newContent"/> (a new ETag, a later
    /// Last-Modified, perhaps a new length) as soon as <paramref name="requests"/> matching requests have found it —
    /// passed authorization and method checks, and not redirected. Those requests are answered from the old content
    /// (the last one's answer included); every request found after them sees the new. Fires once.
    /// </summary>
    /// <param name="path">The object path.</param>
    /// <param name="requests">How many requests see the old content; 1 or more.</param>
    /// <param name="newContent">The replacement bytes (copied).</param>
    /// <param name="contentType">The replacement's type; null guesses it from the path's extension.</param>
    /// <param name="method">Only requests with this method count; null for any.</param>
    public OriginFaultRule ChangeAfter(string path, int requests, byte[] newContent, string? contentType = null, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requests);
        ArgumentNullException.ThrowIfNull(newContent);
        return Add(new(OriginFaultKind.ChangeAfter, Key(path), Checked(method), 1)
        {
            AfterRequests = requests, NewContent = newContent.ToArray(), NewContentType = contentType,
        });
    }

    /// <summary>Fires the first rule for this request that <paramref name="applies"/> accepts and has firings left.</summary>
    internal OriginFaultRule? Fire(string key, string method, Func<OriginFaultKind, bool> applies)
    {
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (rule.Kind != OriginFaultKind.ChangeAfter && applies(rule.Kind) && rule.Matches(key, method) && rule.TryFire())
                {
                    return rule;
                }
            }
        }

        return null;
    }

    /// <summary>Counts a request that found its object against every ChangeAfter rule; returns those whose change is due now.</summary>
    internal List<OriginFaultRule> CountTowardsChanges(string key, string method)
    {
        var due = new List<OriginFaultRule>();
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (rule.Kind == OriginFaultKind.ChangeAfter && rule.Matches(key, method) && rule.CountTowardsChange())
                {
                    due.Add(rule);
                }
            }
        }

        return due;
    }

    private OriginFaultRule Add(OriginFaultRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    private static string Key(string path) => OriginPath.Normalize(path, nameof(path));

    private static string? Checked(string? method)
    {
        if (method is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(method);
        }

        return method;
    }

    private static int Checked(int times)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        return times;
    }
}
