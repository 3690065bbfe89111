using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;
using static AtymSecure.Formats.ReasonCodes;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Verification;

/// <summary>
/// Step 12 of docs/trust-model.md §3 (<see cref="BundleBinding"/>): a bundle header that differs from the verified
/// metadata in any one of its seven bound fields is <c>target-mismatch</c> naming that field and both values; a header
/// that agrees in all seven binds.
/// </summary>
public class BundleBindingTests
{
    /// <summary>What the verifier hands the installer for a listed, assigned 1.0.0 (counter 3).</summary>
    private static VerifiedInstall Verified()
    {
        var s = new UpdateScenario();
        s.Assign(s.Release(s.ReleaseOf("1.0.0", 3)));
        return s.Installs().Installs.Single();
    }

    /// <summary>The header a compiler would sign for exactly that install.</summary>
    private static BundleHeader HeaderFor(VerifiedInstall install) => Bundle.TestBundles.Header([1, 2, 3], tweak: h => h with
    {
        ContainerName = install.Release.Container,
        ContainerVersion = install.Release.Version,
        DeviceClass = install.Release.DeviceClass,
        SecurityCounter = (ulong)install.Release.SecurityCounter,
        ArtifactKind = install.Release.CodeKind,
        TargetDigest = Digest.Parse("sha256:" + install.Image.Sha256),
        TargetSize = (ulong)install.Image.Length,
    });

    [Fact]
    public void A_header_that_agrees_in_every_bound_field_binds()
    {
        var install = Verified();
        Assert.Empty(BundleBinding.Check(install, HeaderFor(install)));
    }

    public static TheoryData<string> Fields => ["containerName", "containerVersion", "deviceClass", "securityCounter", "artifactKind", "targetDigest", "targetSize"];

    [Theory]
    [MemberData(nameof(Fields))]
    public void A_header_that_differs_in_one_bound_field_is_target_mismatch_naming_that_field(string field)
    {
        var install = Verified();
        var header = HeaderFor(install);
        var (other, inHeader, inMetadata) = field switch
        {
            "containerName" => (header with { ContainerName = "sensor-other" }, "sensor-other", install.Release.Container),
            "containerVersion" => (header with { ContainerVersion = "9.9.9" }, "9.9.9", install.Release.Version),
            "deviceClass" => (header with { DeviceClass = "portable-pulley64" }, "portable-pulley64", install.Release.DeviceClass),
            "securityCounter" => (header with { SecurityCounter = 2 }, "2", "3"),
            "artifactKind" => (header with { ArtifactKind = ArtifactKind.Wasm }, "Wasm", install.Release.CodeKind.ToString()),
            "targetDigest" => (header with { TargetDigest = Digest.Compute("another image"u8) }, Digest.Compute("another image"u8).ToString(), "sha256:" + install.Image.Sha256),
            "targetSize" => (header with { TargetSize = (ulong)install.Image.Length + 1 }, (install.Image.Length + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                install.Image.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        var problem = Assert.Single(BundleBinding.Check(install, other));

        Assert.Equal((TargetMismatch, field), (problem.Code, problem.Path));
        Assert.Equal($"the bundle header says {inHeader}, the verified metadata {inMetadata} (step 12)", problem.Message);
    }

    [Fact]
    public void Every_difference_is_listed_at_once()
    {
        var install = Verified();
        var header = HeaderFor(install) with { ContainerName = "sensor-other", SecurityCounter = 99, TargetSize = 1 };

        Assert.Equal(["containerName", "securityCounter", "targetSize"], BundleBinding.Check(install, header).Select(p => p.Path));
    }
}
