using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using AtymSecure.Delivery.Swu;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.Delivery.Tests.Swu;

/// <summary>Our .swu against Debian's SWUpdate 2022.12 (<c>swupdate -c</c>: manifest, CMS signature, hardware, payload hashes).</summary>
[Trait("Requires", "openssl")]
public sealed class SwuBuilderTests : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("swu-builder");

    public void Dispose() => _temp.Dispose();

    private static SwuSigner Signer() => SwuSigner.FromPemFiles(SwuTestCertificate.Shared.CertificateFile, SwuTestCertificate.Shared.KeyFile);

    private static readonly byte[] Script = "#!/bin/sh\nexit 0\n"u8.ToArray();

    private (string Swu, SwDescription Manifest) Build(string name = "good.swu", SwuSelection? selection = null, SwuPostInstallScript? script = null)
    {
        var payload = _temp.Write("payload.tar", RandomNumberGenerator.GetBytes(70_001));
        var swu = _temp.File(name);
        using var output = File.Create(swu);
        var manifest = new SwuBuilder(Signer()).Write(new SwuManifestOptions("1.2.0", "atym offline export", new EquatableList<string>(["1.0"]), selection),
            [new SwuPayload("atym-offline-export.tar", _temp.File("inbox/x.tar"), payload)], output, script);
        return (swu, manifest);
    }

    [Fact]
    public void A_postinstall_script_follows_the_signature_and_its_sha256_is_in_the_signed_manifest()
    {
        var (swu, manifest) = Build("script.swu", script: new SwuPostInstallScript("await.sh", Script));
        var entries = CpioTestReader.Read(File.ReadAllBytes(swu));
        Assert.Equal(["sw-description", "sw-description.sig", "await.sh", "atym-offline-export.tar", "TRAILER!!!"], entries.Select(e => e.Name));
        Assert.Equal(Script, entries[2].Data);
        Assert.Equal(new SwuScript("await.sh", Convert.ToHexStringLower(SHA256.HashData(Script))), manifest.PostInstall);
        Assert.Contains("type = \"postinstall\"", System.Text.Encoding.ASCII.GetString(entries[0].Data), StringComparison.Ordinal);
        var cms = new SignedCms(new ContentInfo(entries[0].Data), detached: true);
        cms.Decode(entries[1].Data);
        cms.CheckSignature(verifySignatureOnly: true);
    }

    [Fact]
    public void Refuses_an_empty_or_oversized_script()
    {
        Assert.Throws<ArgumentException>(() => Build("empty.swu", script: new SwuPostInstallScript("s.sh", [])));
        Assert.Throws<ArgumentException>(() => Build("big.swu", script: new SwuPostInstallScript("s.sh", new byte[SwuPostInstallScript.MaxBytes + 1])));
    }

    [Fact]
    [Trait("Requires", "swupdate")]
    public async Task Swupdate_accepts_our_swu_with_a_script_and_refuses_it_with_the_script_changed()
    {
        var (swu, _) = Build("script.swu", script: new SwuPostInstallScript("await.sh", Script));
        var check = await Swupdate.CheckAsync(swu, SwuTestCertificate.Shared.CertificateFile, "atym-gateway:1.0");
        Assert.True(check.ExitCode == 0, check.ToString());
        var bytes = File.ReadAllBytes(swu);
        var at = IndexOf(bytes, "exit 0"u8);
        bytes[at + 5] = (byte)'4'; // "exit 4": a script that would fail every install, or do anything else
        var tampered = await Swupdate.CheckAsync(_temp.Write("script-tampered.swu", bytes), SwuTestCertificate.Shared.CertificateFile, "atym-gateway:1.0");
        Assert.True(tampered.ExitCode != 0, tampered.ToString());
    }

    [Fact]
    public void The_signature_is_detached_cms_over_the_exact_manifest_by_the_certificate()
    {
        var (swu, manifest) = Build();
        var entries = CpioTestReader.Read(File.ReadAllBytes(swu));
        Assert.Equal(["sw-description", "sw-description.sig", "atym-offline-export.tar", "TRAILER!!!"], entries.Select(e => e.Name));
        var text = manifest.ToBytes();
        Assert.Equal(text, entries[0].Data);
        var cms = new SignedCms(new ContentInfo(text), detached: true);
        cms.Decode(entries[1].Data);
        cms.CheckSignature(verifySignatureOnly: true);
        var signer = Assert.Single(cms.SignerInfos.Cast<SignerInfo>());
        Assert.Equal(Signer().Certificate.Thumbprint, signer.Certificate!.Thumbprint);
        Assert.Equal(manifest.Files[0].Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_temp.File("payload.tar")))));
    }

    [Fact]
    [Trait("Requires", "swupdate")]
    public async Task Swupdate_accepts_our_swu()
    {
        var (swu, _) = Build();
        var check = await Swupdate.CheckAsync(swu, SwuTestCertificate.Shared.CertificateFile, "atym-gateway:1.0");
        Assert.True(check.ExitCode == 0, check.ToString());
        var purpose = await Swupdate.CheckAsync(swu, SwuTestCertificate.Shared.CertificateFile, "atym-gateway:1.0", "--cert-purpose", "codeSigning");
        Assert.True(purpose.ExitCode == 0, purpose.ToString());
        var selected = Build("selected.swu", new SwuSelection("stable", "main")).Swu;
        var select = await Swupdate.CheckAsync(selected, SwuTestCertificate.Shared.CertificateFile, "atym-gateway:1.0", "-e", "stable,main");
        Assert.True(select.ExitCode == 0, select.ToString());
    }

    [Fact]
    [Trait("Requires", "swupdate")]
    public async Task Swupdate_refuses_a_tampered_payload_manifest_or_signature()
    {
        var (swu, _) = Build();
        var bytes = File.ReadAllBytes(swu);
        var manifestAt = Array.IndexOf(bytes, (byte)'v', 120); // inside "version", in the manifest
        var signatureAt = IndexOf(bytes, "sw-description.sig\0"u8) + 40;
        var payloadAt = bytes.Length - 5000;
        foreach (var (what, at) in new[] { ("payload", payloadAt), ("manifest", manifestAt), ("signature", signatureAt) })
        {
            var tampered = (byte[])bytes.Clone();
            tampered[at] ^= 0x01;
            var file = _temp.Write($"tampered-{what}.swu", tampered);
            var check = await Swupdate.CheckAsync(file, SwuTestCertificate.Shared.CertificateFile, "atym-gateway:1.0");
            Assert.True(check.ExitCode != 0, $"{what}: {check}");
        }
    }

    [Fact]
    [Trait("Requires", "swupdate")]
    public async Task Swupdate_refuses_another_revision_and_another_certificate()
    {
        var (swu, _) = Build();
        var revision = await Swupdate.CheckAsync(swu, SwuTestCertificate.Shared.CertificateFile, "atym-gateway:2.0");
        Assert.True(revision.ExitCode != 0, revision.ToString());
        Assert.Contains("not compatible with hardware", revision.StdOut + revision.StdErr);
        using var otherFolder = TempFolder.Create("swu-other-cert");
        var other = SwuTestCertificate.Create(otherFolder);
        var foreign = await Swupdate.CheckAsync(swu, other.CertificateFile, "atym-gateway:1.0");
        Assert.True(foreign.ExitCode != 0, foreign.ToString());
    }

    [Fact]
    public void Refuses_no_payload_and_a_missing_file()
    {
        var builder = new SwuBuilder(Signer());
        var options = new SwuManifestOptions("1", "", new EquatableList<string>(["1.0"]));
        Assert.Throws<ArgumentException>(() => builder.Write(options, [], new MemoryStream()));
        Assert.Throws<FileNotFoundException>(() => builder.Write(options, [new SwuPayload("p", "/x/p", _temp.File("missing"))], new MemoryStream()));
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
