using VodRaw;

namespace VodRaw.Examples;

/// <summary>C# twins of the reference SDK's documented examples (quoted in README.md between the region markers).</summary>
public static class Examples
{
    public static async Task SimpleUpload()
    {
        // <example:simple>
        using var client = new VodUploadClient("your secretId", "your secretKey");
        var request = new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4" };
        try
        {
            var response = await client.UploadAsync("ap-guangzhou", request);
            Console.WriteLine(response.FileId);
            Console.WriteLine(response.MediaUrl);
        }
        catch (VodRawException e)
        {
            Console.WriteLine($"{e.Code} {e.RequestId}: {e.Message}");
        }
        // </example:simple>
    }

    public static async Task WithCover(VodUploadClient client)
    {
        // <example:cover>
        var request = new VodUploadRequest
        {
            MediaFilePath = "/data/file/Wildlife.mp4",
            CoverFilePath = "/data/file/Wildlife-Cover.png",
        };
        var response = await client.UploadAsync("ap-guangzhou", request);
        Console.WriteLine(response.CoverUrl);
        // </example:cover>
    }

    public static async Task WithCoverFromStreams(VodUploadClient client, Stream video, Stream thumbnail)
    {
        // <example:cover-stream>
        var request = new VodUploadRequest { MediaStream = video, MediaType = "mp4", CoverStream = thumbnail, CoverType = "jpg" };
        var response = await client.UploadAsync("ap-guangzhou", request); // each stream is read once, from where it is, and left open
        Console.WriteLine(response.CoverUrl);
        // </example:cover-stream>
    }

    public static async Task WithProcedure(VodUploadClient client)
    {
        // <example:procedure>
        var request = new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4", Procedure = "Your Procedure Name" };
        await client.UploadAsync("ap-guangzhou", request);
        // </example:procedure>
    }

    public static async Task ToSubApplication(VodUploadClient client)
    {
        // <example:subapp>
        var request = new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4", SubAppId = 101 };
        await client.UploadAsync("ap-guangzhou", request); // SubAppId goes to ApplyUpload and CommitUpload
        // </example:subapp>
    }

    public static async Task ToAStoragePath(VodUploadClient client)
    {
        // <example:storage-path>
        var request = new VodUploadRequest
        {
            MediaFilePath = "/data/file/Wildlife.mp4",
            SubAppId = 101, // only a sub-application in VOD's FileID + Path mode may choose the path
            MediaStoragePath = "/wildlife/2030/Wildlife.mp4",
        };
        var response = await client.UploadAsync("ap-guangzhou", request);
        Console.WriteLine(response.FileId);
        // </example:storage-path>
    }

    public static async Task ToStorageRegion(VodUploadClient client)
    {
        // <example:storage-region>
        var request = new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4", StorageRegion = "ap-chongqing" };
        await client.UploadAsync("ap-guangzhou", request);
        // </example:storage-region>
    }

    public static async Task WithConcurrentParts(VodUploadClient client)
    {
        // <example:concurrency>
        var request = new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4", ConcurrentUploadNumber = 5 };
        await client.UploadAsync("ap-guangzhou", request);
        // </example:concurrency>
    }

    public static async Task Resumable(CancellationToken cancellationToken)
    {
        // <example:resume>
        var store = new VodRaw.Checkpoints.CheckpointStore("/var/lib/myapp/vodraw-checkpoints")
        {
            Notice = notice => Console.WriteLine(notice.Message), // "resuming: 40 of 128 parts already uploaded."
        };
        using var client = new VodUploadClient(new VodCredential("your secretId", "your secretKey"), new VodUploadClientOptions { Checkpoints = store });
        var request = new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4" };
        try
        {
            var response = await client.UploadAsync("ap-guangzhou", request, cancellationToken);
            Console.WriteLine($"{response.FileId}: {response.BytesResumed} bytes were already uploaded");
        }
        catch (UploadCanceledException e) when (e.Outcome == UploadInterruption.Paused)
        {
            Console.WriteLine($"paused; the same UploadAsync call resumes checkpoint {e.CheckpointId}");
        }
        // </example:resume>
    }

    public static async Task WithTemporaryCredentials()
    {
        // <example:temporary>
        using var client = new VodUploadClient("Credentials TmpSecretId", "Credentials TmpSecretKey", "Credentials Token");
        var response = await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4" });
        // </example:temporary>
        Console.WriteLine(response.FileId);
    }

    public static async Task AdaptiveBitrate(VodUploadClient client)
    {
        // <example:hls>
        // An HLS (.m3u8) or DASH (.mpd) manifest uploads with every file it references, recursively. References must be
        // relative paths inside the manifest's directory; violations are all reported before anything is uploaded.
        var request = new VodUploadRequest { MediaFilePath = "/data/file/prog_index.m3u8" };
        try
        {
            var response = await client.UploadAsync("ap-guangzhou", request);
            Console.WriteLine(response.FileId);
        }
        catch (ManifestException e)
        {
            foreach (var violation in e.Violations)
            {
                Console.WriteLine(violation);
            }
        }
        // </example:hls>
    }

    public static async Task WithProgressAndCancellation(VodUploadClient client)
    {
        // <example:progress>
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));   // or cancel from a button, Ctrl+C, ...
        var progress = new Progress<UploadProgress>(p =>
            Console.WriteLine($"{p.Phase}: {p.BytesUploaded}/{p.TotalBytes} bytes, {p.PartsInFlight} parts in flight"));
        try
        {
            await client.UploadAsync("ap-guangzhou", new VodUploadRequest { MediaFilePath = "/data/file/Wildlife.mp4" }, progress, cts.Token);
        }
        catch (UploadCanceledException e)
        {
            // What was left behind: NothingStarted, Aborted, AbortFailed (e.OpenUploads), StoredNotCommitted, ...
            Console.WriteLine($"{e.Outcome}: {e.Message}");
        }
        // </example:progress>
    }

    public static async Task PullFromUrl(VodUploadClient client)
    {
        // <example:pull>
        // VOD fetches the URL itself: nothing passes through this machine.
        var request = new VodPullRequest { MediaUrl = "https://example.com/media/Wildlife.mp4", MediaName = "Wildlife" };
        try
        {
            var result = await client.PullAndWaitAsync("ap-guangzhou", request, new PullWaitOptions { Timeout = TimeSpan.FromMinutes(30) });
            Console.WriteLine($"{result.FileId} {result.MediaUrl}");
        }
        catch (PullStillRunningException e)
        {
            // Nothing is lost: the task keeps running at VOD; wait for it again, now or in another process.
            var result = await client.WaitForPullAsync("ap-guangzhou", e.TaskId);
            Console.WriteLine(result.FileId);
        }
        catch (PullFailedException e)
        {
            Console.WriteLine($"task {e.TaskId}: ErrCode {e.TaskErrorCode}: {e.TaskMessage}");
        }
        // </example:pull>
    }

    public static async Task PullWithYourOwnSessionId(VodUploadClient client)
    {
        // <example:pull-session-id>
        // A key of your own makes a repeat safe across runs too: VOD refuses the same SessionId for three days.
        var accepted = await client.PullAsync("ap-guangzhou", new VodPullRequest
        {
            MediaUrl = "https://example.com/media/episode-17.mp4?sign=...",
            SessionId = "episode-17",
        });
        Console.WriteLine($"task {accepted.TaskId}, SessionId {accepted.SessionId}");
        // </example:pull-session-id>
    }

    public static VodUploadClient WithOptions()
    {
        // <example:options>
        var options = new VodUploadClientOptions
        {
            VodEndpoint = new Uri("https://vod.ap-guangzhou.tencentcloudapi.com/"),
            CosEndpointTemplate = "https://{bucket}.cos.accelerate.myqcloud.com",   // global acceleration
            Transfer = new TransferOptions { PartSize = 16 * 1024 * 1024, Concurrency = 8 },
            Retry = new RetryOptions { MaxAttempts = 6 },
            InactivityTimeout = TimeSpan.FromSeconds(30),
        };
        var client = new VodUploadClient(new VodCredential("your secretId", "your secretKey"), options);
        // </example:options>
        return client;
    }
}
