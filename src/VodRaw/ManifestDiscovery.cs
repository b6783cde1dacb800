namespace VodRaw;

/// <summary>How the files an HLS or DASH manifest references are found.</summary>
public enum ManifestDiscovery
{
    /// <summary>
    /// As the reference SDK does: each manifest's text is sent to VOD's ParseStreamingManifest, one call per manifest.
    /// The local parser still checks every manifest first, so a package that breaks the path rules fails before any
    /// request.
    /// </summary>
    Service = 0,

    /// <summary>The local parser only (spec/hls.md, spec/dash.md): no round trips before ApplyUpload.</summary>
    Local = 1,
}
