using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace VodRaw.Benchmarks.EndToEnd;

/// <summary>
/// The HTTPS sink's throwaway certificate: self-signed for 127.0.0.1, made at the harness's start, written as PFX (for
/// the sink) and PEM (for the workers and curl). Clients trust exactly this certificate through their handler's
/// validation callback; certificate validation is never turned off.
/// </summary>
internal static class BenchCertificate
{
    /// <summary>Creates the certificate in <paramref name="directory"/>; returns the PFX and PEM paths.</summary>
    public static (string Pfx, string Pem) Create(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=vodraw-bench-sink", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = Path.Combine(directory, "sink.pfx");
        var pem = Path.Combine(directory, "sink.pem");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx));
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        return (pfx, pem);
    }

    /// <summary>Makes <paramref name="handler"/> trust the sink's certificate (read from its PEM), and only that one.</summary>
    public static void Trust(SocketsHttpHandler handler, string? pem)
    {
        if (pem is null)
        {
            return;
        }

        var thumbprint = X509Certificate2.CreateFromPem(File.ReadAllText(pem)).GetCertHashString(HashAlgorithmName.SHA256);
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && new X509Certificate2(certificate).GetCertHashString(HashAlgorithmName.SHA256) == thumbprint,
        };
    }
}
