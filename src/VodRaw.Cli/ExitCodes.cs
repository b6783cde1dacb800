namespace VodRaw.Cli;

/// <summary>The process exit codes `vodraw` documents (README, "Exit codes").</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad usage or input: a missing, unreadable or non-regular file, an invalid option (nothing was uploaded).</summary>
    public const int Usage = 2;

    /// <summary>The service refused (VOD API or COS error code; printed with the operation and its RequestId).</summary>
    public const int ServiceError = 3;

    /// <summary>The network kept failing after every retry.</summary>
    public const int NetworkError = 4;

    /// <summary>A file changed while it was being uploaded; nothing was committed and multipart uploads were aborted.</summary>
    public const int FileChanged = 5;

    /// <summary>A local decision: the temporary COS credential would expire before the next part could finish.</summary>
    public const int CredentialExpired = 6;

    /// <summary>A batch finished, but not every file was uploaded: some failed, or changed since their commit (the results file says which).</summary>
    public const int BatchIncomplete = 7;

    /// <summary>Another vodraw run is uploading the same request right now (its checkpoint is in use); nothing was sent.</summary>
    public const int InUse = 8;

    /// <summary>
    /// CommitUpload was sent and its outcome is unknown: the media may already be in VOD (the message gives its
    /// MediaStoragePath); with a checkpoint, running the same command again asks VOD with the same session. Also
    /// PullUpload's unknown outcome: VOD may be pulling the media (the message gives the SessionId).
    /// </summary>
    public const int CommitUnknown = 9;

    /// <summary>
    /// The origin of a URL source failed: it refused (HTTP 4xx), stayed unavailable through its retries, sent other
    /// bytes than were asked for, or redirected where vodraw does not follow. Nothing was committed.
    /// </summary>
    public const int OriginFailed = 10;

    /// <summary>`vodraw pull --wait`: the --timeout passed while the pull task was still running; it keeps running (the message gives its TaskId).</summary>
    public const int StillRunning = 11;

    /// <summary>An unexpected internal error (a bug: please report it with the one-line message).</summary>
    public const int InternalError = 70;

    /// <summary>Cancelled (Ctrl+C, SIGTERM); the message says what was left behind.</summary>
    public const int Cancelled = 130;

    /// <summary>
    /// Every exit code with what it means in a help text, in order: the one list every help text prints (a test
    /// compares it with the constants above).
    /// </summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> Table =
    [
        (Ok, "ok"),
        (Usage, "bad usage or input (nothing was sent)"),
        (ServiceError, "the service refused (a pull task that failed: its ErrCode is printed)"),
        (NetworkError, "network error"),
        (FileChanged, "a file changed while uploading"),
        (CredentialExpired, "the temporary credential would expire"),
        (BatchIncomplete, "a batch left files not uploaded"),
        (InUse, "the same upload is running in another run"),
        (CommitUnknown, "CommitUpload's or PullUpload's outcome is unknown (the media may be in VOD)"),
        (OriginFailed, "the origin of a URL source failed"),
        (StillRunning, "pull --wait: --timeout passed while the task was still running (it keeps running)"),
        (InternalError, "internal error"),
        (Cancelled, "cancelled or paused"),
    ];

    /// <summary>The "Exit codes:" paragraph of the help texts, wrapped at 110 columns with the given indent.</summary>
    public static string HelpParagraph(string indent = "")
    {
        var text = "Exit codes: " + string.Join(", ", Table.Select(row => row.Code.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + row.Meaning)) + ".";
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > 110)
            {
                lines.Add(indent + line);
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        lines.Add(indent + line);
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>A one-word name for an exit code, for the log file's summary line.</summary>
    public static string Describe(int code) => code switch
    {
        Ok => "ok",
        Usage => "usage",
        ServiceError => "service-error",
        NetworkError => "network-error",
        FileChanged => "file-changed",
        CredentialExpired => "credential-expired",
        BatchIncomplete => "batch-incomplete",
        InUse => "in-use",
        CommitUnknown => "commit-unknown",
        OriginFailed => "origin-failed",
        StillRunning => "still-running",
        InternalError => "internal-error",
        Cancelled => "cancelled",
        _ => "unknown",
    };

    /// <summary>
    /// The one table from a failure to an exit code, for single uploads and every file of a batch alike (README,
    /// "Exit codes").
    /// </summary>
    public static int For(Exception failure) => failure switch
    {
        ArgumentException => Usage,
        OperationCanceledException => Cancelled,
        FileChangedException => FileChanged,
        CredentialExpiredException => CredentialExpired,
        VodRawException { Code: VodRawErrorCodes.CommitOutcomeUnknown or VodRawErrorCodes.PullOutcomeUnknown } => CommitUnknown,
        VodRawException { Code: VodRawErrorCodes.PullStillRunning } => StillRunning,
        VodRawException { Code: VodRawErrorCodes.CheckpointInUse } => InUse,
        OriginException => OriginFailed,
        VodRawException { Code: VodRawErrorCodes.NetworkError or VodRawErrorCodes.Timeout } => NetworkError,
        VodRawException => ServiceError,
        IOException or UnauthorizedAccessException => Usage,
        _ => InternalError,
    };
}
