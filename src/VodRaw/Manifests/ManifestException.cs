namespace VodRaw;

/// <summary>
/// An HLS or DASH manifest references files that cannot be uploaded (URLs, absolute paths, paths leaving the
/// manifest's directory, missing files). Every violation is listed; nothing was uploaded.
/// </summary>
public sealed class ManifestException : ArgumentException
{
    /// <summary>Creates an exception listing the violations.</summary>
    public ManifestException(string manifestPath, IReadOnlyList<string> violations)
        : base($"The manifest {manifestPath} references files that cannot be uploaded:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", violations), "request")
    {
        ManifestPath = manifestPath;
        Violations = violations;
    }

    /// <summary>The top manifest.</summary>
    public string ManifestPath { get; }

    /// <summary>One line per rule violation.</summary>
    public IReadOnlyList<string> Violations { get; }
}
