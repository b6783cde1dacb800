using Microsoft.AspNetCore.Http.Features;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using VodRaw.Diagnostics;

namespace VodRaw.Samples.UploadService;

/// <summary>
/// <c>POST /videos?type=mp4&amp;name=…</c> with the video as the request body: the body is streamed to VOD as it
/// arrives (never buffered to disk or memory beyond VodRaw's part buffers) and the FileId comes back as JSON.
/// </summary>
public static class UploadServiceApp
{
    /// <summary>Builds the app from command-line arguments and appsettings.json (section <c>VodRaw</c>, <c>Upload:Region</c>).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddVodUploadClient(builder.Configuration.GetSection("VodRaw"));
        if (builder.Configuration.GetValue("Telemetry:Console", defaultValue: true))
        {
            builder.Services.AddOpenTelemetry()
                // ASP.NET Core's own source too: VodRaw's spans are children of the request's, and the default
                // parent-based sampler drops children of a parent nobody records.
                .WithTracing(tracing => tracing.AddSource("Microsoft.AspNetCore", VodRawTelemetry.Name).AddConsoleExporter())
                .WithMetrics(metrics => metrics.AddMeter(VodRawTelemetry.Name).AddConsoleExporter());
        }

        var app = builder.Build();
        app.MapPost("/videos", UploadAsync);
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpContext context, IVodUploadClient vod, IConfiguration configuration, string? type, string? name)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return Results.BadRequest(new { error = "give the media type as ?type=mp4 (the extension, without the dot)" });
        }

        // Videos are larger than Kestrel's 30 MB default; the body is streamed, so no limit is needed here.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var request = new VodUploadRequest { MediaStream = context.Request.Body, MediaType = type, MediaName = name };
        try
        {
            var region = configuration["Upload:Region"] ?? "ap-guangzhou";
            var response = await vod.UploadAsync(region, request, context.RequestAborted);
            return Results.Ok(new { response.FileId, response.MediaUrl, response.RequestId });
        }
        catch (ArgumentException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }
        catch (VodRawException e)
        {
            // Operation, Code and RequestId say where it failed; the message never holds a secret.
            return Results.Problem(e.Message, statusCode: e.IsTransient ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status502BadGateway);
        }
    }
}
