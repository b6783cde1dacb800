namespace VodRaw.Cli;

/// <summary><c>--vod-endpoint</c> and <c>--cos-endpoint</c>, as upload and bench take them.</summary>
internal static class EndpointArguments
{
    /// <summary>Sets the endpoints given on <paramref name="options"/>; returns the usage error, or null.</summary>
    public static string? Apply(string? vodEndpoint, string? cosEndpoint, VodUploadClientOptions options)
    {
        if (vodEndpoint is not null)
        {
            if (!Uri.TryCreate(vodEndpoint, UriKind.Absolute, out var uri))
            {
                return "--vod-endpoint must be an absolute URL.";
            }

            options.VodEndpoint = uri;
        }

        if (cosEndpoint is not null)
        {
            if (CosEndpointArgument.ToTemplate(cosEndpoint) is not { } template)
            {
                return $"--cos-endpoint {cosEndpoint}: give an http(s) URL, or a template with {{bucket}} (and {{region}}).";
            }

            options.CosEndpointTemplate = template;
        }

        return null;
    }
}
