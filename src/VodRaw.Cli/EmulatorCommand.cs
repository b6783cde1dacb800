#if EMULATOR
using System.CommandLine;
using VodRaw.Emulator;
using VodRaw.Emulator.Origin;

namespace VodRaw.Cli;

/// <summary>
/// <c>vodraw emulator [--port N] [--data DIR] [--origin DIR]</c>: the emulator standalone, until Ctrl+C; with
/// <c>--origin</c>, also an HTTP origin serving DIR's files read-only (for uploads from a URL).
/// </summary>
internal static class EmulatorCommand
{
    public static Command Create(CliEnvironment env)
    {
        var port = new Option<int>("--port") { Description = "VOD API port on 127.0.0.1 (COS listens on the next port). Default 0: any free ports." };
        var data = new Option<string?>("--data") { Description = "Directory for stored objects (default: a temporary directory, deleted on exit)." };
        var json = new Option<bool>("--json") { Description = "Print the endpoints and keys as one JSON line." };
        var discard = new Option<bool>("--discard-content") { Description = "Hash and check bodies but keep no object content (load tests, uploads bigger than the disk)." };
        var origin = new Option<string?>("--origin") { Description = "Also serve this directory's files read-only over HTTP (ranges, ETags), as a place to upload from a URL; on port N+2 with --port, else any free port.", HelpName = "DIR" };
        var pathMode = new Option<long[]>("--path-mode-sub-app-id")
        {
            Description = "A sub-application in VOD's FileID + Path mode: its uploads may choose their MediaStoragePath (others are refused). Repeatable; default none.",
        };
        var command = new Command("emulator", "Run the local VOD + COS emulator for your own integration tests.") { port, data, json, discard, origin, pathMode };
        command.SetAction(async (result, cancellationToken) =>
        {
            var p = result.GetValue(port);
            if (p is < 0 or > 65534)
            {
                return ResultWriter.Failure(env, result.GetValue(json), ExitCodes.Usage, "--port must be between 0 and 65534.");
            }

            var originDirectory = result.GetValue(origin);
            if (originDirectory is not null && !Directory.Exists(originDirectory))
            {
                return ResultWriter.Failure(env, result.GetValue(json), ExitCodes.Usage, $"--origin {originDirectory}: no such directory.");
            }

            if (originDirectory is not null && p > 65533)
            {
                return ResultWriter.Failure(env, result.GetValue(json), ExitCodes.Usage, "--port must be at most 65533 with --origin (the origin listens on the port after COS's).");
            }

            var pathModeIds = result.GetValue(pathMode) ?? [];
            if (Array.FindIndex(pathModeIds, id => id <= 0) is var bad and >= 0)
            {
                return ResultWriter.Failure(env, result.GetValue(json), ExitCodes.Usage,
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--path-mode-sub-app-id {pathModeIds[bad]}: a sub-application ID is positive."));
            }

            var directory = result.GetValue(data);
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            await using var emulator = await VodEmulator.StartAsync(
                new VodEmulatorOptions { VodPort = p, CosPort = p == 0 ? 0 : p + 1, DataDirectory = directory, StoreContent = !result.GetValue(discard), PathModeSubAppIds = pathModeIds,
                    RequestLogged = env.Log is { } log ? request => log.WriteRequest(Served(request)) : null }, cancellationToken).ConfigureAwait(false);
            await using var fileOrigin = originDirectory is null ? null : await EmulatorOrigin.StartAsync(
                new EmulatorOriginOptions { RootDirectory = originDirectory, Port = p == 0 ? 0 : p + 2 }, cancellationToken).ConfigureAwait(false);
            var cos = emulator.CosEndpoint + "{bucket}";
            if (result.GetValue(json))
            {
                env.Out.WriteLine(ResultWriter.Json(w =>
                {
                    w.WriteString("vodEndpoint", emulator.VodEndpoint.ToString());
                    w.WriteString("cosEndpoint", cos);
                    if (fileOrigin is not null)
                    {
                        w.WriteString("originEndpoint", fileOrigin.BaseAddress.ToString());
                    }

                    w.WriteString("secretId", emulator.Credential.SecretId);
                    w.WriteString("secretKey", emulator.Credential.SecretKey);
                    w.WriteStartObject("temporaryCredential");
                    w.WriteString("secretId", emulator.TemporaryCredential.SecretId);
                    w.WriteString("secretKey", emulator.TemporaryCredential.SecretKey);
                    w.WriteString("token", emulator.TemporaryCredential.Token);
                    w.WriteString("expiresAt", emulator.TemporaryCredentialExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteEndObject();
                    w.WriteStartArray("pathModeSubAppIds");
                    foreach (var id in pathModeIds)
                    {
                        w.WriteNumberValue(id);
                    }

                    w.WriteEndArray();
                }));
            }
            else
            {
                env.Out.WriteLine("VodRaw emulator running (Ctrl+C to stop). Its keys are throwaway test keys:");
                env.Out.WriteLine($"  VOD endpoint:  {emulator.VodEndpoint}");
                env.Out.WriteLine($"  COS endpoint:  {cos}");
                if (fileOrigin is not null)
                {
                    env.Out.WriteLine($"  Origin:        {fileOrigin.BaseAddress}  (serves {Path.GetFullPath(originDirectory!)} read-only)");
                }

                env.Out.WriteLine($"  export TENCENTCLOUD_SECRET_ID={emulator.Credential.SecretId}");
                env.Out.WriteLine($"  export TENCENTCLOUD_SECRET_KEY={emulator.Credential.SecretKey}");
                env.Out.WriteLine($"  vodraw upload FILE --region ap-guangzhou --vod-endpoint {emulator.VodEndpoint} --cos-endpoint '{cos}'");
                env.Out.WriteLine("A temporary credential (STS) it also accepts, until " + emulator.TemporaryCredentialExpiresAt.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + ":");
                env.Out.WriteLine($"  export TENCENTCLOUD_SECRET_ID={emulator.TemporaryCredential.SecretId}");
                env.Out.WriteLine($"  export TENCENTCLOUD_SECRET_KEY={emulator.TemporaryCredential.SecretKey}");
                env.Out.WriteLine($"  export TENCENTCLOUD_SESSION_TOKEN={emulator.TemporaryCredential.Token}");
                env.Out.WriteLine(pathModeIds.Length == 0
                    ? "No sub-application is in FileID + Path mode (--path-mode-sub-app-id ID declares one): a MediaStoragePath is refused."
                    : $"Sub-applications in FileID + Path mode (their uploads may choose a MediaStoragePath): {string.Join(", ", pathModeIds.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)))}");
            }

            env.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: stop cleanly.
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A served request as a logfmt line (no header or query value: nothing secret).</summary>
    internal static string Served(EmulatorRequest r)
    {
        var line = new System.Text.StringBuilder("Served operation=").Append(r.Operation).Append(" method=").Append(r.Method)
            .Append(" target=\"").Append(r.Target.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        if (r.PartNumber is { } part)
        {
            line.Append(" part=").Append(part.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        line.Append(" status=").Append(r.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (r.ErrorCode is { } code)
        {
            line.Append(" code=").Append(code);
        }

        if (r.Fault is { } fault)
        {
            line.Append(" fault=").Append(fault);
        }

        return line.Append(" bytes=").Append(r.BodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToString();
    }
}
#endif
