using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace VodRaw.Cli;

/// <summary>
/// <c>vodraw bench</c>: uploads generated data (never a user's file) once per part size × concurrency, prints MiB/s
/// (as upload progress does) and CPU per setting and recommends one for this machine and link.
/// </summary>
internal static class BenchCommand
{
    private const long DefaultSize = 256L << 20;

    public static Command Create(CliEnvironment env)
    {
        var emulator = new Option<bool>("--emulator") { Description = "Measure against the embedded emulator (no account; content discarded). It runs in this process, so the CPU figures then count the emulator's work too." };
        var size = new Option<string?>("--size") { Description = "Bytes per upload, e.g. 256MiB (default), 1GiB. Generated random data in a temporary file." };
        var partSizes = new Option<string?>("--part-sizes") { Description = "Part sizes to try, comma-separated (default 8MiB,16MiB)." };
        var concurrency = new Option<string?>("--concurrency") { Description = "Parts in flight to try, comma-separated; auto = adaptive, the default (default auto,2,4,8)." };
        var region = new Option<string?>("--region") { Description = $"Upload region (default: ${UploadCommand.RegionVariable})." };
        var vodEndpoint = new Option<string?>("--vod-endpoint") { Description = "VOD API endpoint (default https://vod.tencentcloudapi.com/)." };
        var cosEndpoint = new Option<string?>("--cos-endpoint") { Description = "COS endpoint template or URL, as for upload." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: every setting's figures and the recommendation." };
        var command = new Command("bench", """
            Measure upload throughput for part sizes × concurrency and recommend a setting for this machine and link.

            Examples:
              vodraw bench --emulator
              vodraw bench --region ap-guangzhou --size 1GiB --part-sizes 8MiB,32MiB --concurrency 4,8,16

            Against a real account every setting uploads one media (plus one warm-up): the count is printed before
            anything is sent, and the FileIds after, so they can be deleted.
            """)
        {
            emulator, size, partSizes, concurrency, region, vodEndpoint, cosEndpoint, json,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            var asJson = result.GetValue(json);
            var bytes = DefaultSize;
            if (result.GetValue(size) is { } s && (!SizeParser.TryParse(s, out bytes) || bytes < 1))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"--size {s}: give a size, for example 256MiB.");
            }

            if (ParseList(result.GetValue(partSizes) ?? "8MiB,16MiB", SizeParser.TryParse) is not { } parts
                || parts.Any(p => p is < TransferOptions.MinPartSize or > TransferOptions.MaxPartSize))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "--part-sizes: give sizes between 1MiB and 5GiB, comma-separated, for example 8MiB,16MiB.");
            }

            // "auto" is 0 here: Concurrency left unset (adaptive); a literal 0 is refused.
            static bool Level(string t, out long v)
            {
                if (t == "auto")
                {
                    v = 0;
                    return true;
                }

                return long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v) && v > 0;
            }

            if (ParseList(result.GetValue(concurrency) ?? "auto,2,4,8", Level) is not { } levels
                || levels.Any(c => c is < 0 or > TransferOptions.MaxConcurrency))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"--concurrency: give auto or whole numbers from 1 to {TransferOptions.MaxConcurrency}, comma-separated, for example auto,2,4,8.");
            }

            var settings = parts.SelectMany(p => levels.Select(c => (PartSize: p, Concurrency: (int)c))).ToList();
            var options = new VodUploadClientOptions();
            if (EndpointArguments.Apply(result.GetValue(vodEndpoint), result.GetValue(cosEndpoint), options) is { } endpointError)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, endpointError);
            }

            var run = new BenchRun(env, asJson, bytes, settings);
            if (result.GetValue(emulator))
            {
#if EMULATOR
                await using var local = await VodRaw.Emulator.VodEmulator.StartAsync(new VodRaw.Emulator.VodEmulatorOptions { StoreContent = false }, cancellationToken).ConfigureAwait(false);
                options.VodEndpoint = local.VodEndpoint;
                options.CosEndpointTemplate = local.CosEndpointTemplate;
                return await run.RunAsync(local.Credential, options, result.GetValue(region) ?? "ap-guangzhou", realAccount: false, cancellationToken, emulatorInProcess: true).ConfigureAwait(false);
#else
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "--emulator needs the .NET build of vodraw; this native build can measure against a running `vodraw emulator --discard-content` with --vod-endpoint and --cos-endpoint.");
#endif
            }

            if (EnvironmentCredential.Read(env, out var credentialError) is not { } credential)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, credentialError + " Or measure against the embedded emulator with --emulator.");
            }

            var regionValue = result.GetValue(region) ?? env.Variable(UploadCommand.RegionVariable);
            if (string.IsNullOrWhiteSpace(regionValue))
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"no region: pass --region (for example ap-guangzhou) or set {UploadCommand.RegionVariable}.");
            }

            return await run.RunAsync(credential, options, regionValue, realAccount: true, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private delegate bool TryParseValue(string text, out long value);

    private static List<long>? ParseList(string text, TryParseValue parse)
    {
        var values = new List<long>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!parse(item, out var value))
            {
                return null;
            }

            values.Add(value);
        }

        return values.Count == 0 ? null : values.Distinct().ToList();
    }
}

/// <summary>One <c>vodraw bench</c>: the generated file, a warm-up, one upload per setting, the table.</summary>
internal sealed class BenchRun(CliEnvironment env, bool json, long bytes, List<(long PartSize, int Concurrency)> settings)
{
    /// <summary>Bytes in a MiB: rates are MiB/s, as upload progress shows them.</summary>
    private const double Mebibyte = 1 << 20;

    /// <param name="emulatorInProcess">
    /// The embedded emulator serves the uploads from this process: the process's CPU time (the only figure measured)
    /// is then the uploader's and the emulator's together, and the output says so.
    /// </param>
    public async Task<int> RunAsync(VodCredential credential, VodUploadClientOptions baseOptions, string region, bool realAccount, CancellationToken cancellationToken, bool emulatorInProcess = false)
    {
        if (realAccount)
        {
            env.Error.WriteLine($"vodraw bench: this creates {settings.Count + 1} media in your VOD account ({settings.Count} settings and a warm-up, {ProgressReporter.Format(bytes)} each); their FileIds are printed at the end so they can be deleted.");
        }

        var file = Path.Combine(Path.GetTempPath(), $"vodraw-bench-{Guid.NewGuid():N}.mp4");
        var results = new List<(long PartSize, int Concurrency, double MiBps, double CpuSeconds, string FileId)>();
        var fileIds = new List<string>();
        try
        {
            await WriteRandomAsync(file, bytes, cancellationToken).ConfigureAwait(false);
            fileIds.Add(await UploadAsync(credential, baseOptions, region, file, settings[0], cancellationToken).ConfigureAwait(false)); // warm-up: JIT, connections
            foreach (var setting in settings)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                var fileId = await UploadAsync(credential, baseOptions, region, file, setting, cancellationToken).ConfigureAwait(false);
                var seconds = watch.Elapsed.TotalSeconds;
                fileIds.Add(fileId);
                results.Add((setting.PartSize, setting.Concurrency, bytes / seconds / Mebibyte, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, fileId));
                if (!json)
                {
                    env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {ProgressReporter.Format(setting.PartSize)} × {Level(setting.Concurrency)}: {bytes / seconds / Mebibyte:F1} MiB/s"));
                }
            }
        }
        catch (OperationCanceledException)
        {
            return ResultWriter.Failure(env, json, ExitCodes.Cancelled, "cancelled." + Created(fileIds), "Cancelled");
        }
        catch (VodRawException e)
        {
            return ResultWriter.Failure(env, json, e.Code is VodRawErrorCodes.NetworkError or VodRawErrorCodes.Timeout ? ExitCodes.NetworkError : ExitCodes.ServiceError,
                e.Message + Created(fileIds), e.Code, e.RequestId);
        }
        finally
        {
            File.Delete(file);
        }

        // Best: the highest rate; within 5 % of it, the setting that holds the least part memory.
        var best = results.Max(r => r.MiBps);
        var pick = results.Where(r => r.MiBps >= best * 0.95).OrderBy(r => Memory(r.PartSize, r.Concurrency)).ThenByDescending(r => r.MiBps).First();
        if (json)
        {
            env.Out.WriteLine(ResultWriter.Json(w =>
            {
                w.WriteNumber("bytes", bytes);
                w.WriteBoolean("cpuIncludesEmulator", emulatorInProcess);
                w.WriteStartArray("results");
                foreach (var r in results)
                {
                    w.WriteStartObject();
                    w.WriteNumber("partSize", r.PartSize);
                    WriteConcurrency(w, r.Concurrency);
                    w.WriteNumber("mebibytesPerSecond", Math.Round(r.MiBps, 2));
                    w.WriteNumber("cpuSecondsPerGiB", Math.Round(r.CpuSeconds * (1L << 30) / bytes, 3));
                    w.WriteString("fileId", r.FileId);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartObject("recommended");
                w.WriteNumber("partSize", pick.PartSize);
                WriteConcurrency(w, pick.Concurrency);
                w.WriteEndObject();
                w.WriteStartArray("createdFileIds");
                foreach (var id in realAccount ? fileIds : [])
                {
                    w.WriteStringValue(id);
                }

                w.WriteEndArray();
            }));
            return ExitCodes.Ok;
        }

        env.Out.WriteLine($"{ProgressReporter.Format(bytes)} per upload, one upload per setting after a warm-up; rates in MiB/s (1 MiB = 1,048,576 bytes), as upload progress shows them.");
        if (emulatorInProcess)
        {
            env.Out.WriteLine("The embedded emulator runs in this process: CPU-s per GiB is the uploader's and the emulator's together, not the uploader's alone.");
        }

        env.Out.WriteLine($"| part size | in flight | MiB/s | {(emulatorInProcess ? "CPU-s per GiB (uploader + emulator)" : "CPU-s per GiB")} | part memory (at most) |");
        env.Out.WriteLine("|---|---|---|---|---|");
        foreach (var r in results)
        {
            env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {ProgressReporter.Format(r.PartSize)} | {Level(r.Concurrency)} | {r.MiBps:F1} | {r.CpuSeconds * (1L << 30) / bytes:F2} | {ProgressReporter.Format(Memory(r.PartSize, r.Concurrency))} |{(r == pick ? " ← recommended" : string.Empty)}"));
        }

        env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Recommended: --part-size {SizeArgument(pick.PartSize)} {(pick.Concurrency == 0 ? "with --concurrency unset (adaptive)" : "--concurrency " + pick.Concurrency.ToString(CultureInfo.InvariantCulture))} (the least part memory within 5 % of the best rate)."));
        if (realAccount)
        {
            env.Out.WriteLine("Created media (delete them when done): " + string.Join(' ', fileIds));
        }

        return ExitCodes.Ok;
    }

    /// <summary>"auto" for the adaptive setting (0 here), else the number.</summary>
    private static string Level(int concurrency) => concurrency == 0 ? "auto" : concurrency.ToString(CultureInfo.InvariantCulture);

    /// <summary>JSON: the number, or "auto".</summary>
    private static void WriteConcurrency(System.Text.Json.Utf8JsonWriter w, int concurrency)
    {
        if (concurrency == 0)
        {
            w.WriteString("concurrency", "auto");
        }
        else
        {
            w.WriteNumber("concurrency", concurrency);
        }
    }

    /// <summary>
    /// The most part memory a setting holds for a generated file: one 128 KiB chunk per part in flight (parts are read
    /// as they are sent), the adaptive setting at most its 64 MiB budget.
    /// </summary>
    /// <summary>What a streamed part in flight holds: the library's read chunk (VodRaw.Transfer.PartContent).</summary>
    private const long StreamedChunk = 128 * 1024;

    internal static long Memory(long partSize, int concurrency) =>
        concurrency == 0 ? TransferOptions.DefaultMemoryBudget : Math.Min(partSize, StreamedChunk) * concurrency;

    /// <summary>A size as --part-size takes it back (8MiB, 1GiB, or bytes).</summary>
    internal static string SizeArgument(long bytes) =>
        bytes % (1L << 30) == 0 ? (bytes >> 30).ToString(CultureInfo.InvariantCulture) + "GiB"
        : bytes % (1L << 20) == 0 ? (bytes >> 20).ToString(CultureInfo.InvariantCulture) + "MiB"
        : bytes.ToString(CultureInfo.InvariantCulture);

    private static string Created(List<string> fileIds) =>
        fileIds.Count == 0 ? string.Empty : " Media created so far (delete them when done): " + string.Join(' ', fileIds) + ".";

    private static async Task<string> UploadAsync(VodCredential credential, VodUploadClientOptions baseOptions, string region, string file, (long PartSize, int Concurrency) setting, CancellationToken cancellationToken)
    {
        var options = new VodUploadClientOptions
        {
            VodEndpoint = baseOptions.VodEndpoint,
            CosEndpointTemplate = baseOptions.CosEndpointTemplate,
        };
        options.Transfer.PartSize = setting.PartSize;
        options.Transfer.Concurrency = setting.Concurrency == 0 ? null : setting.Concurrency;
        using var client = new VodUploadClient(credential, options);
        var response = await client.UploadAsync(region, new VodUploadRequest { MediaFilePath = file, MediaName = "vodraw-bench" }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.FileId;
    }

    private static async Task WriteRandomAsync(string path, long bytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        for (long written = 0; written < bytes; written += buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            await stream.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes - written)), cancellationToken).ConfigureAwait(false);
        }
    }
}
