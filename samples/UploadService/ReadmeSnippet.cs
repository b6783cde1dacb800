using Microsoft.AspNetCore.Http.Features;

namespace VodRaw.Samples.UploadService;

/// <summary>
/// README's "Dependency injection" snippet, compiled and run by the tests (tests/VodRaw.Tests/Samples): the README
/// quotes the region between the example markers verbatim.
/// </summary>
public static class ReadmeSnippet
{
    /// <summary>Registers the client and maps <c>POST /videos</c> as the README shows.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        // <example:dependency-injection>
        builder.Services.AddVodUploadClient(builder.Configuration.GetSection("VodRaw")); // an IHttpClientBuilder: handlers, proxy, lifetime

        var app = builder.Build();
        app.MapPost("/videos", async (HttpContext context, IVodUploadClient vod) =>
        {
            // Kestrel refuses a body over 30,000,000 bytes by default. This endpoint streams the body to VOD as it
            // arrives (VodRaw holds only its part buffers), so it lifts the limit for itself alone.
            context.Features.GetRequiredFeature<IHttpMaxRequestBodySizeFeature>().MaxRequestBodySize = null;
            var request = new VodUploadRequest { MediaStream = context.Request.Body, MediaType = "mp4" };
            return (await vod.UploadAsync("ap-guangzhou", request, context.RequestAborted)).FileId;
        });
        // </example:dependency-injection>
        return app;
    }
}
