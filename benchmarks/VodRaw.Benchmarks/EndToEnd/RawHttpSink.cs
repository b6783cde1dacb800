using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using VodRaw.Hashing;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// A loopback HTTP/1.1 sink that speaks just enough COS for the upload engine (Initiate, UploadPart, Complete, PUT,
/// Abort), with keep-alive, discarding bodies (optionally computing their CRC-64). Raw sockets, not Kestrel: the
/// sink must cost far less CPU than the client it measures. Run as its own process (<c>sink</c> command).
/// </summary>
internal static class RawHttpSink
{
    /// <param name="computeCrc">Compute each body's CRC-64 and answer it, as COS does.</param>
    /// <param name="tlsPfx">Serve HTTPS with this certificate (a PFX file); null for plain HTTP.</param>
    /// <param name="link">Behave like a WAN link (round trips, bandwidth caps); null for plain loopback.</param>
    /// <param name="cancellationToken">Stops accepting.</param>
    public static async Task RunAsync(bool computeCrc, string? tlsPfx, WanLink? link, CancellationToken cancellationToken)
    {
        using var certificate = tlsPfx is null ? null : System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(tlsPfx, null);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(512);
        Console.Out.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
        while (!cancellationToken.IsCancellationRequested)
        {
            var socket = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            socket.NoDelay = true;
            _ = Task.Run(() => ServeAsync(socket, computeCrc, certificate, link?.Open()), cancellationToken);
        }
    }

    private static async Task ServeAsync(Socket socket, bool computeCrc, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, WanLink.Connection? wan)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        var readSize = wan is null ? buffer.Length : WanLink.ReadSize;
        try
        {
            if (wan is not null)
            {
                await wan.RoundTripAsync().ConfigureAwait(false); // the handshake
            }

            if (certificate is not null)
            {
                var tls = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsServerAsync(certificate).ConfigureAwait(false);
                stream = tls;
            }

            var filled = 0;
            while (true)
            {
                // Read until the end of the header block.
                int headerEnd;
                while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(filled, Math.Min(buffer.Length - filled, readSize))).ConfigureAwait(false);
                    if (n == 0)
                    {
                        return;
                    }

                    filled += n;
                }

                var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
                var firstLine = head[..head.IndexOf('\r', StringComparison.Ordinal)];
                var parts = firstLine.Split(' ');
                var method = parts[0];
                var target = parts[1];
                long length = 0;
                foreach (var line in head.Split("\r\n"))
                {
                    if (line.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = long.Parse(line.AsSpan(15).Trim(), CultureInfo.InvariantCulture);
                    }
                }

                // Consume the body: what is already buffered, then the socket.
                var bodyStart = headerEnd + 4;
                var inBuffer = (int)Math.Min(filled - bodyStart, length);
                ulong crc = 0;
                if (computeCrc)
                {
                    crc = Crc64.Append(crc, buffer.AsSpan(bodyStart, inBuffer));
                }

                if (wan is not null && inBuffer > 0)
                {
                    await wan.PaceAsync(inBuffer).ConfigureAwait(false); // body bytes that came with the header are paced too
                }

                var remaining = length - inBuffer;
                var leftover = filled - bodyStart - inBuffer;
                Buffer.BlockCopy(buffer, bodyStart + inBuffer, buffer, 0, leftover);
                filled = leftover;
                while (remaining > 0)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(filled, (int)Math.Min(Math.Min(buffer.Length - filled, readSize), remaining))).ConfigureAwait(false);
                    if (n == 0)
                    {
                        return;
                    }

                    if (wan is not null)
                    {
                        await wan.PaceAsync(n).ConfigureAwait(false);
                    }

                    if (computeCrc)
                    {
                        crc = Crc64.Append(crc, buffer.AsSpan(filled, n));
                    }

                    remaining -= n;
                }

                if (wan is not null)
                {
                    await wan.RoundTripAsync().ConfigureAwait(false);
                }

                var response = Respond(method, target, computeCrc ? crc : null);
                await stream.WriteAsync(response).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await stream.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
        }
    }

    private static byte[] Respond(string method, string target, ulong? crc)
    {
        var query = target.Contains('?', StringComparison.Ordinal) ? target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..] : string.Empty;
        string status = "200 OK", body = string.Empty, extra = string.Empty;
        if (method == "POST" && query == "uploads")
        {
            body = "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>sink-upload</UploadId></InitiateMultipartUploadResult>";
        }
        else if (method == "POST")
        {
            body = "  <CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>k</Key><ETag>\"e-1\"</ETag></CompleteMultipartUploadResult>";
        }
        else if (method == "DELETE")
        {
            status = "204 No Content";
        }
        else
        {
            extra = "ETag: \"d41d8cd98f00b204e9800998ecf8427e\"\r\n" + (crc is { } c ? $"x-cos-hash-crc64ecma: {c.ToString(CultureInfo.InvariantCulture)}\r\n" : string.Empty);
        }

        return Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\nx-cos-request-id: sink\r\n{extra}\r\n{body}");
    }
}
