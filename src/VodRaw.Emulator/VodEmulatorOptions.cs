namespace VodRaw.Emulator;

/// <summary>How to start a <see cref="VodEmulator"/>. Every property has a working default.</summary>
public sealed class VodEmulatorOptions
{
    /// <summary>Port of the VOD API endpoint on 127.0.0.1. Default 0 (any free port).</summary>
    public int VodPort { get; set; }

    /// <summary>Port of the COS endpoint on 127.0.0.1. Default 0 (any free port).</summary>
    public int CosPort { get; set; }

    /// <summary>Where objects are stored. Default null: a fresh temporary directory, deleted on dispose.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Whether object bytes are kept on disk (false keeps only sizes and hashes, for benchmarks). Default true.</summary>
    public bool StoreContent { get; set; } = true;

    /// <summary>The APPID that bucket names end with. Default 1250000000.</summary>
    public long AppId { get; set; } = 1250000000;

    /// <summary>The permanent API key accepted by both sides. Default: generated per instance.</summary>
    public EmulatorCredential? Credential { get; set; }

    /// <summary>A temporary API key (with token) the VOD API side accepts too. Default: generated per instance.</summary>
    public EmulatorCredential? TemporaryCredential { get; set; }

    /// <summary>Sub-application IDs that exist. Default null: any positive ID is accepted.</summary>
    public IReadOnlyCollection<long>? SubAppIds { get; set; }

    /// <summary>
    /// Sub-application IDs in VOD's "FileID + Path" mode: only an ApplyUpload with one of these as its SubAppId may name
    /// a <c>MediaStoragePath</c>. Default empty: no sub-application is in that mode, and every MediaStoragePath is
    /// refused with <c>InvalidParameterValue.MediaStoragePath</c>.
    /// </summary>
    /// <remarks>
    /// Read once when the emulator starts; each ID must be positive and, when <see cref="SubAppIds"/> is set, one of
    /// those (else <see cref="VodEmulator.StartAsync"/> throws <see cref="ArgumentException"/>).
    /// </remarks>
    public IReadOnlyCollection<long> PathModeSubAppIds { get; set; } = [];

    /// <summary>How long an ApplyUpload TempCertificate stays valid. Default 1 hour.</summary>
    public TimeSpan TemporaryCredentialLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Added before every request (VOD and COS) is answered, to emulate a distant region's round trip; real time, not
    /// <see cref="TimeProvider"/>. Default zero.
    /// </summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The clock used for signature windows and credential expiry. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Called with each request once it is answered (on the request's thread; keep it short, and thread-safe), as it
    /// is added to <see cref="VodEmulator.Requests"/>. Default null. <c>vodraw emulator --verbose</c> prints these.
    /// </summary>
    public Action<EmulatorRequest>? RequestLogged { get; set; }
}
