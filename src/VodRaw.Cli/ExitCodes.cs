namespace VodRaw.Cli;

/// <summary>The process exit codes `vodraw` documents.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad usage or input (nothing was uploaded).</summary>
    public const int Usage = 2;

    /// <summary>The service refused (VOD API or COS error code; printed with its RequestId).</summary>
    public const int ServiceError = 3;

    /// <summary>The network kept failing after every retry.</summary>
    public const int NetworkError = 4;

    /// <summary>Cancelled (Ctrl+C); a started multipart upload was aborted.</summary>
    public const int Cancelled = 130;
}
