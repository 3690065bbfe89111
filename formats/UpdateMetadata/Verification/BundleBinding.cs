using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// Step 12 of docs/trust-model.md §3 on a production device: the bundle's signed header must describe exactly what the
/// verified metadata names — container, version, device class, security counter, artifact kind, and the image
/// (TargetDigest = the image's sha256, TargetSize = its length). A bundle signed by a trusted compiler key for another
/// release (an older one, another container) therefore cannot ride on metadata that names this one. Checked before
/// the bootloader writes a byte; every difference is listed, each as <c>target-mismatch</c>.
/// </summary>
public static class BundleBinding
{
    public static IReadOnlyList<Problem> Check(VerifiedInstall install, BundleHeader header)
    {
        ArgumentNullException.ThrowIfNull(install);
        ArgumentNullException.ThrowIfNull(header);
        var release = install.Release;
        var problems = new List<Problem>();
        void Differs(string field, string inHeader, string inMetadata)
        {
            if (!string.Equals(inHeader, inMetadata, StringComparison.Ordinal))
                problems.Add(new Problem(ReasonCodes.TargetMismatch, field, $"the bundle header says {inHeader}, the verified metadata {inMetadata} (step 12)"));
        }
        Differs("containerName", header.ContainerName, release.Container);
        Differs("containerVersion", header.ContainerVersion, release.Version);
        Differs("deviceClass", header.DeviceClass, release.DeviceClass);
        Differs("securityCounter", header.SecurityCounter.ToString(System.Globalization.CultureInfo.InvariantCulture),
            release.SecurityCounter.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Differs("artifactKind", header.ArtifactKind.ToString(), release.CodeKind.ToString());
        Differs("targetDigest", header.TargetDigest.ToString(), "sha256:" + install.Image.Sha256);
        Differs("targetSize", header.TargetSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            install.Image.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return problems;
    }
}
