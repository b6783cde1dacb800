namespace VodRaw.Signing;

/// <summary>
/// Everything that goes into a TC3-HMAC-SHA256 signature of one TencentCloud API 3.0 request: the exact body bytes and
/// Content-Type that are sent, the host, the instant. No clock or environment is read while signing.
/// </summary>
internal readonly ref struct Tc3SigningInput
{
    /// <summary>Credential-scope service name, for example <c>vod</c>.</summary>
    public required string Service { get; init; }

    /// <summary>The Host header as sent (lower-case host name, optional port).</summary>
    public required string Host { get; init; }

    /// <summary>The Content-Type header exactly as sent.</summary>
    public required string ContentType { get; init; }

    /// <summary>The exact body bytes sent.</summary>
    public required ReadOnlySpan<byte> Payload { get; init; }

    /// <summary>Unix seconds; the same digits go into X-TC-Timestamp.</summary>
    public required long Timestamp { get; init; }

    /// <summary>The API action (X-TC-Action), for example <c>ApplyUpload</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Whether <c>x-tc-action</c> is signed too (the current documentation's form); default signs <c>content-type;host</c>.</summary>
    public bool SignAction { get; init; }

    /// <summary>HTTP method; POST for every call VodRaw makes.</summary>
    public string Method { get; init; }

    /// <summary>Canonical URI; always <c>/</c> for the API.</summary>
    public string Path { get; init; }

    /// <summary>Canonical query string; empty for POST.</summary>
    public string Query { get; init; }

    public Tc3SigningInput()
    {
        Method = "POST";
        Path = "/";
        Query = string.Empty;
    }
}
