using System.CommandLine;
using System.Globalization;
using VodRaw.Checkpoints;

namespace VodRaw.Cli;

/// <summary><c>vodraw checkpoints list|abort</c>: the interrupted uploads kept for resuming.</summary>
internal static class CheckpointsCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("checkpoints", "Interrupted uploads kept for resuming: list them, or abort them (their multipart uploads are aborted and the checkpoints deleted).");
        command.Subcommands.Add(List(env));
        command.Subcommands.Add(Abort(env));
        return command;
    }

    private static Option<string?> DirectoryOption() => new("--checkpoint-dir") { Description = "The checkpoint directory (default: $XDG_STATE_HOME/vodraw, else ~/.local/state/vodraw)." };

    private static Command List(CliEnvironment env)
    {
        var directory = DirectoryOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var list = new Command("list", "Show the live checkpoints: id, progress, files, when their credential expires, the media file.") { directory, json };
        list.SetAction(result =>
        {
            var asJson = result.GetValue(json);
            if (StoreOf(env, result.GetValue(directory)) is not { } store)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "no checkpoint directory: HOME is not set; pass --checkpoint-dir DIR.");
            }

            var checkpoints = store.List();
            if (asJson)
            {
                env.Out.WriteLine(ResultWriter.Json(w =>
                {
                    w.WriteString("directory", store.Directory);
                    w.WriteStartArray("checkpoints");
                    foreach (var c in checkpoints)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", c.Id);
                        w.WriteString("mediaPath", c.MediaPath);
                        w.WriteString("region", c.Region);
                        w.WriteNumber("partsDone", c.PartsDone);
                        w.WriteNumber("partsTotal", c.PartsTotal);
                        w.WriteNumber("bytesDone", c.BytesDone);
                        w.WriteNumber("bytesTotal", c.BytesTotal);
                        w.WriteNumber("filesDone", c.FilesDone);
                        w.WriteNumber("filesTotal", c.FilesTotal);
                        if (c.CredentialExpiresAt is { } expires)
                        {
                            w.WriteString("credentialExpiresAt", expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                        }

                        w.WriteString("updatedAt", c.UpdatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                        w.WriteBoolean("commitSent", c.CommitSent);
                        w.WriteString("state", State(c));
                        if (c.CommittedFileId is { } fileId)
                        {
                            w.WriteString("committedFileId", fileId);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }));
                return ExitCodes.Ok;
            }

            if (checkpoints.Count == 0)
            {
                env.Error.WriteLine($"no checkpoints in {store.Directory}.");
                return ExitCodes.Ok;
            }

            var now = DateTimeOffset.UtcNow;
            foreach (var c in checkpoints)
            {
                var expiry = c.CommittedFileId is { } fileId ? $"committed as {fileId}"
                    : c.CommitSent ? "commit in flight: CommitUpload was sent and its outcome is unknown (the media may be in VOD)"
                    : c.CredentialExpiresAt is not { } e ? "no expiry" : e <= now ? "credential expired" : $"credential expires in {Remaining(e - now)}";
                env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Id}  {c.PartsDone}/{c.PartsTotal} parts  {ProgressReporter.Format(c.BytesDone)} of {ProgressReporter.Format(c.BytesTotal)}  {c.FilesDone}/{c.FilesTotal} files  {expiry}  {c.MediaPath}"));
            }

            return ExitCodes.Ok;
        });
        return list;
    }

    private static Command Abort(CliEnvironment env)
    {
        var id = new Argument<string?>("id") { Description = "The checkpoint to abort (see `vodraw checkpoints list`).", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Abort every checkpoint in the directory." };
        var directory = DirectoryOption();
        var vodEndpoint = new Option<string?>("--vod-endpoint") { Description = "VOD API endpoint (as for upload)." };
        var cosEndpoint = new Option<string?>("--cos-endpoint") { Description = "COS endpoint (as for upload)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var force = new Option<bool>("--force") { Description = "Also drop a checkpoint whose CommitUpload was sent and may have been applied (it is the only record of that upload's session)." };
        var abort = new Command("abort", "Abort the multipart uploads of a checkpoint (or --all) and delete it. Reads the credential from the environment, as upload does.")
        {
            id, all, directory, vodEndpoint, cosEndpoint, json, force,
        };
        abort.SetAction(async (result, cancellationToken) =>
        {
            var asJson = result.GetValue(json);
            var one = result.GetValue(id);
            var every = result.GetValue(all);
            if ((one is null) == !every)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "give one checkpoint id, or --all.");
            }

            if (StoreOf(env, result.GetValue(directory)) is not { } store)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, "no checkpoint directory: HOME is not set; pass --checkpoint-dir DIR.");
            }

            if (EnvironmentCredential.Read(env, out var error) is not { } credential)
            {
                return ResultWriter.Failure(env, asJson, ExitCodes.Usage, error!);
            }

            var options = new VodUploadClientOptions { Checkpoints = store };
            if (result.GetValue(cosEndpoint) is { } ce)
            {
                if (CosEndpointArgument.ToTemplate(ce) is not { } template)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, $"--cos-endpoint {ce}: give an http(s) URL, or a template with {{bucket}} (and {{region}}).");
                }

                options.CosEndpointTemplate = template;
            }

            if (result.GetValue(vodEndpoint) is { } ve && Uri.TryCreate(ve, UriKind.Absolute, out var vodUri))
            {
                options.VodEndpoint = vodUri;
            }

            var ids = every ? store.List().Select(c => c.Id).ToList() : [one!];
            var leftOpen = new List<OpenMultipartUpload>();
            using var client = new VodUploadClient(credential, options);
            foreach (var checkpoint in ids)
            {
                try
                {
                    var open = await client.AbortCheckpointAsync(checkpoint, result.GetValue(force), cancellationToken).ConfigureAwait(false);
                    leftOpen.AddRange(open);
                    env.Error.WriteLine(open.Count == 0 ? $"aborted checkpoint {checkpoint}." : $"checkpoint {checkpoint}: {OpenMultipartUpload.Describe(open)}");
                }
                catch (ArgumentException e)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.Usage, e.Message.Split(" (Parameter", 2)[0]);
                }
                catch (VodRawException e) when (e.Code is VodRawErrorCodes.CheckpointInUse)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.InUse, $"checkpoint {checkpoint} is in use by a running upload; it was left alone. Stop that upload first (Ctrl+C keeps it resumable), then abort.", e.Code);
                }
                catch (VodRawException e) when (e.Code is VodRawErrorCodes.CommitOutcomeUnknown)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.CommitUnknown, e.Message, e.Code);
                }
                catch (VodRawException e)
                {
                    return ResultWriter.Failure(env, asJson, ExitCodes.For(e), e);
                }
            }

            if (asJson)
            {
                env.Out.WriteLine(ResultWriter.Json(w =>
                {
                    w.WriteStartArray("aborted");
                    foreach (var checkpoint in ids)
                    {
                        w.WriteStringValue(checkpoint);
                    }

                    w.WriteEndArray();
                    ResultWriter.OpenUploads(w, leftOpen);
                }));
            }

            return leftOpen.Count == 0 ? ExitCodes.Ok : ExitCodes.ServiceError;
        });
        return abort;
    }

    private static CheckpointStore? StoreOf(CliEnvironment env, string? directory) =>
        (directory ?? CheckpointDirectory.Default(env)) is { } d ? new CheckpointStore(d) : null;

    /// <summary>Time left as people read it: seconds below a minute (never rounded up to "1 min"), minutes below two hours, then hours.</summary>
    internal static string Remaining(TimeSpan span) => span.TotalMinutes >= 120
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(span.TotalHours):F0} h")
        : span.TotalSeconds >= 60
            ? string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(span.TotalMinutes):F0} min")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, Math.Floor(span.TotalSeconds)):F0} s");

    /// <summary>The session state a checkpoint records (spec/resume.md): resumable, commit in flight, or committed.</summary>
    internal static string State(CheckpointInfo c) => c.CommittedFileId is not null ? "committed" : c.CommitSent ? "commitInFlight" : "resumable";
}
