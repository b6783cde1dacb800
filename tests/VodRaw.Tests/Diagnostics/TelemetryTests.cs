using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text.RegularExpressions;
using VodRaw.Diagnostics;
using VodRaw.Emulator;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Diagnostics;

/// <summary>Listeners are process-wide: these tests run alone, so every span, measurement and event is theirs.</summary>
[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>
/// Every span, measurement and log event of whole uploads against the emulator (simple, multipart, failed and retried,
/// HLS): names, parent and child, attributes, and no secret anywhere in them.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed class TelemetryTests : IAsyncLifetime
{
    private const int PartSize = 1024 * 1024;
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();
    private readonly Events _events = new();
    private ActivityListener _activityListener = null!;
    private MeterListener _meterListener = null!;
    private UploadHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await UploadHarness.StartAsync();
        _activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == VodRawTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_activityListener);
        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == VodRawTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
        _meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
        _meterListener.Start();
    }

    public async Task DisposeAsync()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
        _events.Dispose();
        await _h.DisposeAsync();
    }

    private VodUploadClient Client() => _h.Client(o => o.Transfer = new TransferOptions { PartSize = PartSize, Concurrency = 4 });

    /// <summary>The spans of the one upload that ran: the root and everything in its trace.</summary>
    private (Activity Root, List<Activity> Children) Trace()
    {
        var root = Assert.Single(_activities, a => a.OperationName == VodRawTelemetry.UploadActivityName);
        var children = _activities.Where(a => a.TraceId == root.TraceId && a != root).ToList();
        Assert.All(children, c => Assert.Equal(root.SpanId, c.ParentSpanId)); // VOD calls and COS requests hang off the upload
        return (root, children);
    }

    private void AssertNoSecretAnywhere()
    {
        var secrets = new List<string> { _h.Emulator.Credential.SecretKey, "q-signature", "TC3-HMAC-SHA256", "Signature=", "x-cos-security-token", "Authorization" };
        var texts = new List<string>();
        foreach (var a in _activities)
        {
            texts.Add(a.DisplayName);
            texts.AddRange(a.TagObjects.Select(t => $"{t.Key}={t.Value}"));
            texts.AddRange(a.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")));
            texts.AddRange(a.Baggage.Select(b => $"{b.Key}={b.Value}"));
            texts.Add(a.StatusDescription ?? string.Empty);
        }

        texts.AddRange(_measurements.SelectMany(m => m.Tags.Select(t => $"{t.Key}={t.Value}")));
        texts.AddRange(_events.All.Select(e => e.Message + " " + string.Join(' ', e.Payload)));
        Assert.NotEmpty(texts);
        foreach (var text in texts)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    private long Sum(string instrument) => (long)_measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    [Fact]
    public async Task ASimpleUploadIsOneSpanWithItsThreeRequestsAndCountsItsBytes()
    {
        var (media, content) = _h.File("simple.mp4", 5000);
        using var client = Client();
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media });

        var (root, children) = Trace();
        Assert.Equal(ActivityStatusCode.Unset, root.Status);
        Assert.Equal(response.FileId, root.GetTagItem("vodraw.file_id"));
        Assert.Equal(1, root.GetTagItem("vodraw.files"));
        Assert.Equal(["ApplyUpload", "PutObject", "CommitUpload"], children.OrderBy(c => c.StartTimeUtc).Select(c => c.OperationName));
        var put = children.Single(c => c.OperationName == "PutObject");
        Assert.Equal(ActivityKind.Client, put.Kind);
        Assert.Equal("PUT", put.GetTagItem("http.request.method"));
        Assert.Equal(200, put.GetTagItem("http.response.status_code"));
        Assert.Equal("127.0.0.1", put.GetTagItem("server.address"));
        Assert.Equal(_h.Emulator.CosEndpoint.Port, put.GetTagItem("server.port"));
        Assert.Equal(5000L, put.GetTagItem("vodraw.bytes"));
        Assert.Equal("media", put.GetTagItem("vodraw.file_role"));
        Assert.EndsWith(".mp4", (string)put.GetTagItem("vodraw.object_key")!, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)put.GetTagItem("vodraw.request_id")));
        var commit = children.Single(c => c.OperationName == "CommitUpload");
        Assert.Equal("POST", commit.GetTagItem("http.request.method"));
        Assert.Equal(response.RequestId, commit.GetTagItem("vodraw.request_id"));

        Assert.Equal(content.Length, Sum("vodraw.upload.bytes"));
        Assert.Equal(0, Sum("vodraw.parts.in_flight"));
        Assert.Equal(3, _measurements.Count(m => m.Instrument == "vodraw.request.duration"));
        Assert.Single(_measurements, m => m.Instrument == "vodraw.upload.duration" && m.Tags.Contains(new("vodraw.outcome", "ok")));
        Assert.Contains(_events.All, e => e.EventId == 1 && e.Payload.Contains("simple.mp4"));
        Assert.Contains(_events.All, e => e.EventId == 2 && e.Payload.Contains(response.FileId));
        Assert.Equal(3, _events.All.Count(e => e.EventId == 4));
        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task AnAdaptiveUploadHalvesItsPartsInFlightWhenCosThrottlesAndSaysSoOnItsSpan()
    {
        var (path, content) = _h.File("throttled.mp4", (8 * PartSize) + 3);
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "SlowDown", partNumber: 2);
        using var client = _h.Client(o => o.Transfer = new TransferOptions { PartSize = PartSize }); // Concurrency unset: adaptive

        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });

        Assert.Equal(content, _h.MediaObject(response).ReadAllBytes());
        var (root, _) = Trace();

        // Started at 4; halved on SlowDown and held. Usually "4:0MB/s>2"; on a loaded machine the first window can
        // close (4 -> 8) before part 2's reply arrives, and the throttle then halves 8: the last step is the throttle
        // either way, and nothing moves after it.
        var steps = ((string)root.GetTagItem("vodraw.parts_in_flight.steps")!).Split(", ");
        Assert.StartsWith("4:", steps[0], StringComparison.Ordinal);
        var throttle = Regex.Match(steps[^1], @"^(\d+):0MB/s>(\d+)$");
        Assert.True(throttle.Success, $"the last step is not the throttle: {string.Join(", ", steps)}");
        var halved = int.Parse(throttle.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal(int.Parse(throttle.Groups[1].Value, CultureInfo.InvariantCulture) / 2, halved);
        Assert.Equal(halved, root.GetTagItem("vodraw.parts_in_flight"));
    }

    [Fact]
    public async Task AFixedUploadKeepsItsPartsInFlight()
    {
        var (path, _) = _h.File("fixed.mp4", (3 * PartSize) + 3);
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "SlowDown", partNumber: 2);
        using var client = Client(); // Concurrency = 4

        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = path });

        var (root, _) = Trace();
        Assert.Equal(4, root.GetTagItem("vodraw.parts_in_flight"));
        Assert.Null(root.GetTagItem("vodraw.parts_in_flight.steps"));
    }

    [Fact]
    public async Task AMultipartUploadHasASpanPerPartWithItsNumberAndAFailedPartShowsItsRetry()
    {
        var (media, content) = _h.File("multi.mp4", (3 * PartSize) + 77);
        _h.Emulator.Faults.Fail(EmulatorOperation.UploadPart, 503, "SlowDown", partNumber: 2);
        using var client = Client();
        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media, CoverFilePath = _h.File("c.jpg", 300).Path });

        Assert.Single(_h.Emulator.Faults.FiredRules);
        var (_, children) = Trace();
        var parts = children.Where(c => c.OperationName == "UploadPart").ToList();
        Assert.Equal([1, 2, 3, 4], parts.Select(p => (int)p.GetTagItem("vodraw.part_number")!).Order());
        Assert.Single(children, c => c.OperationName == "InitiateMultipartUpload");
        Assert.Single(children, c => c.OperationName == "CompleteMultipartUpload");
        Assert.Equal("cover", children.Single(c => c.OperationName == "PutObject").GetTagItem("vodraw.file_role"));
        var retried = parts.Single(p => (int)p.GetTagItem("vodraw.part_number")! == 2);
        Assert.Equal(1, retried.GetTagItem("http.request.resend_count"));
        Assert.Equal(200, retried.GetTagItem("http.response.status_code"));
        var retry = Assert.Single(retried.Events, e => e.Name == "vodraw.retry");
        Assert.Equal("SlowDown", retry.Tags.Single(t => t.Key == "vodraw.error_code").Value);
        Assert.Equal(503, retry.Tags.Single(t => t.Key == "http.response.status_code").Value);
        Assert.True((double)retry.Tags.Single(t => t.Key == "vodraw.backoff_ms").Value! >= 0);
        Assert.Equal(ActivityStatusCode.Unset, retried.Status); // it succeeded in the end

        Assert.Equal(content.Length + 300, Sum("vodraw.upload.bytes"));
        var retries = Assert.Single(_measurements, m => m.Instrument == "vodraw.request.retries");
        Assert.Contains(new KeyValuePair<string, object?>("vodraw.retry_reason", "SlowDown"), retries.Tags);
        Assert.Contains(_events.All, e => e.EventId == 5 && e.Level == EventLevel.Warning && e.Payload.Contains("UploadPart"));
        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task AFailedUploadMarksItsSpansErrorWithTheCode()
    {
        var (media, _) = _h.File("refused.mp4", 1000);
        _h.Emulator.Faults.Fail(EmulatorOperation.ApplyUpload, 200, "InvalidParameterValue.SubAppId");
        using var client = Client();
        await Assert.ThrowsAsync<VodApiException>(() => client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = media }));

        var (root, children) = Trace();
        Assert.Equal(ActivityStatusCode.Error, root.Status);
        Assert.Equal("InvalidParameterValue.SubAppId", root.GetTagItem("error.type"));
        var apply = Assert.Single(children);
        Assert.Equal(ActivityStatusCode.Error, apply.Status);
        Assert.Equal("InvalidParameterValue.SubAppId", apply.GetTagItem("error.type"));
        Assert.Contains(apply.Events, e => e.Name == "exception");
        Assert.Single(_measurements, m => m.Instrument == "vodraw.upload.duration" && m.Tags.Contains(new("vodraw.outcome", "error")));
        Assert.Contains(_events.All, e => e.EventId == 3 && e.Level == EventLevel.Error && e.Payload.Contains("InvalidParameterValue.SubAppId"));
        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task AnHlsUploadTracesTheManifestParseAndEverySegment()
    {
        var folder = Path.Combine(_h.TempDirectory, "hls");
        Directory.CreateDirectory(folder);
        var manifest = Path.Combine(folder, "index.m3u8");
        File.WriteAllText(manifest, "#EXTM3U\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"#EXTINF:4,\nseg{i}.ts\n")) + "#EXT-X-ENDLIST\n");
        for (var i = 0; i < 5; i++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"seg{i}.ts"), new byte[100 + i]);
        }

        using var client = Client();
        await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = manifest });

        var (root, children) = Trace();
        Assert.Equal(6, root.GetTagItem("vodraw.files"));
        Assert.Single(children, c => c.OperationName == "ParseStreamingManifest");
        var puts = children.Where(c => c.OperationName == "PutObject").ToList();
        Assert.Equal(6, puts.Count);
        Assert.Equal(5, puts.Count(p => (string?)p.GetTagItem("vodraw.file_role") == "segment"));
        AssertNoSecretAnywhere();
    }

    /// <summary>Captures the VodRaw EventSource's events.</summary>
    private sealed class Events : EventListener
    {
        public ConcurrentQueue<(int EventId, EventLevel Level, string Message, List<string> Payload)> All { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == VodRawTelemetry.Name)
            {
                EnableEvents(eventSource, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventSource.Name == VodRawTelemetry.Name)
            {
                All.Enqueue((e.EventId, e.Level, e.Message ?? string.Empty, e.Payload?.Select(p => p?.ToString() ?? string.Empty).ToList() ?? []));
            }
        }
    }
}
