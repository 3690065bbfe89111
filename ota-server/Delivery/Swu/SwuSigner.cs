using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace AtymSecure.Delivery.Swu;

/// <summary>
/// Signs <c>sw-description</c> as SWUpdate verifies it (<c>swupdate -k CERT.pem</c>, CMS): a detached CMS SignedData in
/// DER over the manifest's exact bytes, SHA-256, the signer identified by issuer and serial number, its certificate
/// included, signed attributes content type, message digest and signing time, no S/MIME capabilities — what
/// <c>openssl cms -sign -binary -nosmimecap -outform DER</c> makes. SWUpdate checks the signer certificate against the
/// one it was started with and its purpose (<c>--cert-purpose</c>, default emailProtection), so the certificate carries
/// both purposes (scripts/swu-test-cert.sh). The certificate must hold its private key (RSA or ECDSA).
/// </summary>
public sealed class SwuSigner
{
    private readonly X509Certificate2 _certificate;
    private readonly TimeProvider _clock;

    /// <exception cref="ArgumentException">The certificate has no private key.</exception>
    public SwuSigner(X509Certificate2 certificate, TimeProvider? clock = null)
    {
        _certificate = certificate ?? throw new ArgumentNullException(nameof(certificate));
        if (!certificate.HasPrivateKey) throw new ArgumentException($"the .swu signing certificate {certificate.Subject} has no private key", nameof(certificate));
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Loads a PEM certificate and its PEM private key (the files scripts/swu-test-cert.sh writes).</summary>
    /// <exception cref="CryptographicException">Not a certificate and a matching key.</exception>
    public static SwuSigner FromPemFiles(string certificateFile, string keyFile, TimeProvider? clock = null) =>
        new(X509Certificate2.CreateFromPemFile(certificateFile, keyFile), clock);

    /// <summary>The signer's certificate (what a gateway is given as <c>swupdate -k</c>).</summary>
    public X509Certificate2 Certificate => _certificate;

    /// <summary>The detached DER signature of <paramref name="manifest"/> (the <c>sw-description.sig</c> entry).</summary>
    public byte[] Sign(ReadOnlySpan<byte> manifest)
    {
        var cms = new SignedCms(new ContentInfo(manifest.ToArray()), detached: true);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, _certificate)
        {
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"), // SHA-256
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        signer.SignedAttributes.Add(new Pkcs9SigningTime(_clock.GetUtcNow().UtcDateTime));
        cms.ComputeSignature(signer, silent: true);
        return cms.Encode();
    }
}
