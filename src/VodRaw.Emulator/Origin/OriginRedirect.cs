namespace VodRaw.Emulator.Origin;

/// <summary>A path answered with a redirect: the status (301, 302, 303, 307 or 308) and the Location sent.</summary>
internal sealed record OriginRedirect(int Status, string Location);
