using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// A deliberately simple COS multipart uploader, the way a first hand-written version usually looks: a new array per
/// part, a FileStream per part, a MemoryStream copy, Content-MD5, the string-built signer, XML by concatenation, the
/// same parallelism. The in-class baseline VodRaw's engine is measured against ("Naive").
/// </summary>
internal static partial class NaiveUploader
{
    public static async Task UploadAsync(HttpClient http, Uri sink, string file, long fileLength, long totalLength, long partSize, int concurrency)
    {
        var objectUri = new Uri(sink, "bench-1250000000/naive/media.mp4");
        using var initiate = Signed(HttpMethod.Post, new Uri(objectUri + "?uploads"), "/naive/media.mp4", new Dictionary<string, string> { ["uploads"] = string.Empty });
        using var initiated = await http.SendAsync(initiate);
        initiated.EnsureSuccessStatusCode();
        var uploadId = UploadIdPattern().Match(await initiated.Content.ReadAsStringAsync()).Groups[1].Value;

        var count = (int)((totalLength + partSize - 1) / partSize);
        var etags = new string[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                var offset = index * partSize;
                var size = (int)Math.Min(partSize, totalLength - offset);
                var buffer = new byte[size];
                using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read))
                {
                    stream.Seek(offset % fileLength, SeekOrigin.Begin);
                    await stream.ReadExactlyAsync(buffer);
                }

                using var copy = new MemoryStream();
                copy.Write(buffer, 0, buffer.Length);
                var body = copy.ToArray();
                var md5 = Convert.ToBase64String(MD5.HashData(body));
                var number = (index + 1).ToString(CultureInfo.InvariantCulture);
                using var request = Signed(HttpMethod.Put, new Uri($"{objectUri}?partNumber={number}&uploadId={uploadId}"), "/naive/media.mp4",
                    new Dictionary<string, string> { ["partNumber"] = number, ["uploadId"] = uploadId }, md5);
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.Add("Content-MD5", md5);
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                etags[index] = response.Headers.ETag!.Tag;
            }
        }));

        var xml = "<CompleteMultipartUpload>";
        for (var i = 0; i < count; i++)
        {
            xml += "<Part><PartNumber>" + (i + 1) + "</PartNumber><ETag>" + etags[i] + "</ETag></Part>";
        }

        xml += "</CompleteMultipartUpload>";
        using var complete = Signed(HttpMethod.Post, new Uri($"{objectUri}?uploadId={uploadId}"), "/naive/media.mp4", new Dictionary<string, string> { ["uploadId"] = uploadId });
        complete.Content = new StringContent(xml, Encoding.UTF8, "application/xml");
        using var completed = await http.SendAsync(complete);
        completed.EnsureSuccessStatusCode();
    }

    private static HttpRequestMessage Signed(HttpMethod method, Uri uri, string path, Dictionary<string, string> parameters, string? md5 = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var keyTime = now + ";" + (now + 3600);
        var headers = new Dictionary<string, string> { ["host"] = uri.Authority };
        if (md5 is not null)
        {
            headers["content-md5"] = md5;
        }

        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("Authorization", NaiveSigners.SignCos("AKIDNAIVE", "naive-secret", method.Method, path, parameters, headers, keyTime));
        request.Headers.TryAddWithoutValidation("x-cos-security-token", "naive-token");
        return request;
    }

    [GeneratedRegex("<UploadId>([^<]*)</UploadId>")]
    private static partial Regex UploadIdPattern();
}
