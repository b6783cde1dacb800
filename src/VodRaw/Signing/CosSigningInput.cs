namespace VodRaw.Signing;

/// <summary>What a COS q-sign signature covers: method, decoded object path, the chosen parameters and headers, the window.</summary>
internal readonly ref struct CosSigningInput
{
    /// <summary>HTTP method (any case).</summary>
    public required string Method { get; init; }

    /// <summary>The decoded path: <c>/</c> + object key as raw text (not percent-encoded).</summary>
    public required string Path { get; init; }

    /// <summary>Query parameters to sign (valueless ones such as <c>uploads</c> with an empty value).</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> Parameters { get; init; }

    /// <summary>Headers to sign, with the exact values sent.</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> Headers { get; init; }

    public required CosKeyTime KeyTime { get; init; }
}
