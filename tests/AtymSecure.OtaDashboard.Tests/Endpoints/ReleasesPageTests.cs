using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.OtaDashboard.Tests.Support;
using AtymSecure.OtaReleases;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaDashboard.Tests.Endpoints;

/// <summary>
/// <c>/ui/releases</c> in the real host: a release with the signature facts import records (the host's vendor key by SPKI
/// SHA-256, named by its key file; a key the server has no file for; both attestation kinds), compiled sizes per class and a
/// class failure, and a delta bundle in the host's cut index (bundles/cuts) from 1.0.0's image, with its base version resolved
/// through the release store; a release without recorded facts or cuts says so. Text from the store is HTML-encoded;
/// the page's CSP is checked with every page's in DashboardSecurityTests.
/// </summary>
public sealed class ReleasesPageTests : IAsyncLifetime
{
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();

    private string VendorKeyFile => _host.Service<OtaReleasesOptions>().VendorKeyFiles[0];

    private string VendorKeyId => Convert.ToHexStringLower(SHA256.HashData(VerificationKey.FromFile(VendorKeyFile).Spki));

    private static readonly string Stranger = new('e', 64);

    private async Task<Release> SignedReleaseAsync()
    {
        var release = new Release(Release.IdFor(Sha("3.0.0")), "sensor-filter", "3.0.0", "127.0.0.1:9/samples/sensor-filter", Sha("3.0.0"), Sha("wasm3"), 1, false,
            _host.Clock.GetUtcNow(), _host.Clock.GetUtcNow().AddDays(180),
            [new ReleaseImage("linux-x86_64", Sha("img3"), 123_456, ArtifactKind.WasmtimeNative, [], Sha("o3"), Sha("r3")),
             new ReleaseImage("linux-aarch64", Sha("img3-arm"), 98_765, ArtifactKind.WasmtimeNative, [], Sha("o3a"), Sha("r3a"))],
            [new ReleaseClassFailure("mcu-cortex-m33", "compile-failed", "<script>wasm2c</script> missing")],
            new ReleasePolicyFacts([VendorKeyId, Stranger], ["sbom", "slsa-provenance"], ["log"], 131072, 50));
        return await _host.Service<IReleaseStore>().AddOrGetAsync(release);
    }

    /// <summary>Puts a delta of <paramref name="length"/> bytes from <paramref name="from"/>'s image to <paramref name="to"/>'s in the host's
    /// bundle store and cut index, as the cut cache leaves them (bundle file under its hash, then the index entry).</summary>
    private async Task<BundleLocation> DeltaAsync(Release from, Release to, int length)
    {
        var files = ((BundleFileStore)_host.Service<IBundleStore>());
        var bytes = RandomNumberGenerator.GetBytes(length);
        var hex = Digest.Compute(bytes).Encoded;
        await File.WriteAllBytesAsync(Path.Combine(files.Root, "sha256", hex + ".bundle"), bytes);
        var image = to.ImageFor("linux-x86_64")!;
        var key = new BundleCutKey(from.ImageFor("linux-x86_64")!.ImageDigest, to.Id, image.ImageDigest, "linux-x86_64", image.Grants);
        var location = new BundleLocation(hex, (ulong)length, IsDelta: true);
        await files.RecordCutAsync(key, location);
        return location;
    }

    private async Task<string> SectionAsync(Release release)
    {
        using var ui = _host.Ui();
        await ui.LoginAsync(_host.AdminToken);
        var page = await ui.PageAsync("/ui/releases");
        var start = page.IndexOf($"aria-labelledby=\"{release.Id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section for {release.Id}");
        return page[start..page.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task A_signed_release_shows_its_signers_by_key_id_and_key_file_and_its_attestations()
    {
        var release = await SignedReleaseAsync();

        var section = await SectionAsync(release);

        Assert.Contains($"key <code>{VendorKeyId}</code> (vendor key file {Path.GetFileName(VendorKeyFile)})", section, StringComparison.Ordinal);
        Assert.Contains($"key <code>{Stranger}</code> (no vendor key file on this server has it now)", section, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"attestations\">SBOM (CycloneDX), SLSA provenance</dd>", section, StringComparison.Ordinal);
        Assert.DoesNotContain("Admitted by trust rule", section, StringComparison.Ordinal); // imported without policies
    }

    [Fact]
    public async Task Compiled_sizes_per_class_and_class_failures_are_shown_encoded()
    {
        var release = await SignedReleaseAsync();

        var section = await SectionAsync(release);

        Assert.Contains("<td>linux-x86_64</td><td>WasmtimeNative</td><td>123,456</td>", section, StringComparison.Ordinal);
        Assert.Contains("<td>linux-aarch64</td><td>WasmtimeNative</td><td>98,765</td>", section, StringComparison.Ordinal);
        Assert.Contains("not compiled: compile-failed: &lt;script&gt;wasm2c&lt;/script&gt; missing", section, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", section, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delta_cut_shows_its_size_beside_the_full_image_and_its_base_version_and_others_say_none_yet()
    {
        var release = await SignedReleaseAsync();
        Assert.Contains($"No deltas cut yet to {release.Version}.", await SectionAsync(release), StringComparison.Ordinal);

        await DeltaAsync(_host.V1, release, 4321);
        var section = await SectionAsync(release);

        Assert.Contains($"<tr class=\"delta\"><td>linux-x86_64</td><td>1.0.0</td><td>4,321</td><td>123,456</td><td><code>{_host.V1.ImageFor("linux-x86_64")!.ImageDigest[..23]}&#x2026;</code></td></tr>",
            section, StringComparison.Ordinal);
        Assert.DoesNotContain("No deltas cut yet", section, StringComparison.Ordinal);
        var v1 = await SectionAsync(_host.V1);
        Assert.Contains("No deltas cut yet to 1.0.0.", v1, StringComparison.Ordinal);
        Assert.Contains("<dd>not recorded (imported before signers were kept)</dd>", v1, StringComparison.Ordinal);
    }
}
