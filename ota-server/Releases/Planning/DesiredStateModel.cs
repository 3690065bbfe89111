using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Planning;

/// <summary>What the planner knows about a device: its id, class, and per container the image digest it reports confirmed.</summary>
/// <param name="ConfirmedImages">Container name → <c>sha256:hex</c> of the confirmed slot image (what the version report says).</param>
public sealed record DeviceView(string DeviceId, string DeviceClass, EquatableMap<string> ConfirmedImages)
{
    /// <summary>
    /// Container name → the version whose trial the device last failed and reverted (its report's last trial verdict,
    /// issue 12 §4): the planner withholds that version, so the device is not sent back into the trial it rejected.
    /// </summary>
    public EquatableMap<string> RejectedVersions { get; init; } = EquatableMap<string>.Empty;

    /// <summary>The device's groups (operator-set): with policies, what its grants are derived for (<see cref="Policy.PolicyGrantedImages"/>).</summary>
    public EquatableList<string> Groups { get; init; } = [];
}

/// <summary>
/// The installable image a device should run, as the image repository lists it (trust-model §3 steps 8–9): the
/// must-match identity, the image's sha256 and length, and the source Wasm the vendor lists (step 10).
/// </summary>
public sealed record ImageTarget(ReleaseIdentity Identity, string Sha256, ulong Length, string SourceWasmDigest, string SourceManifestDigest, string ReleaseId)
{
    /// <summary><c>images/CLASS/CONTAINER/VERSION/cCOUNTER/SHA256.img</c> (<see cref="TargetPaths.Image"/>).</summary>
    public string Path => TargetPaths.Image(Identity, Sha256);

    public static ImageTarget Of(Release release, ReleaseImage image)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(image);
        return new ImageTarget(ReleaseIdentities.Of(release, image), image.ImageSha256, image.ImageLength, release.SourceWasmDigest, release.ManifestDigest, release.Id);
    }
}

/// <summary>
/// What identifies one cut bundle (issue 12 §4): the image the device holds (none: a full bundle), the release and
/// image it gets, the class, and the grants of the target image. Equal keys are one cut, whichever device asked.
/// </summary>
/// <param name="BaseImageDigest"><c>sha256:hex</c> of the confirmed image a delta applies to, or null for a full bundle.</param>
/// <param name="TargetReleaseId">The release the bundle belongs to: its header's counter, creation and expiry come from
/// it, and a rollback re-release (docs/trust-model.md §7) has the same image as the code's first release but another counter.</param>
/// <param name="Grants">The target image's grants, in the config's order.</param>
public sealed record BundleCutKey(string? BaseImageDigest, string TargetReleaseId, string TargetImageDigest, string DeviceClass, EquatableList<string> Grants)
{
    /// <summary>
    /// SHA-256 hex of the key's canonical text: a file name for the cut index, the same on every replica. Every field is
    /// written as its UTF-8 byte count, a colon and its bytes (a missing base as <c>-</c>), and the grants as their count
    /// then each grant so: no value can contain a separator that shifts the fields, so two different keys never share a
    /// text (<c>["a,b"]</c> and <c>["a","b"]</c> are two keys). v2 joined the grants with <c>,</c>; its index entries no
    /// longer hash to their names and are cut again.
    /// </summary>
    public string Id
    {
        get
        {
            var text = new StringBuilder("atym-bundle-cut-v3\n");
            if (BaseImageDigest is null) text.Append('-');
            else Field(text, BaseImageDigest);
            Field(text, TargetReleaseId);
            Field(text, TargetImageDigest);
            Field(text, DeviceClass);
            text.Append(Grants.Count).Append('#');
            foreach (var grant in Grants) Field(text, grant);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
    }

    /// <summary>
    /// Whether every field <see cref="Id"/> reads is present. Always so for a key made in code; a key read back from JSON
    /// (the cut index) can hold null in any field, a grant inside the list too, and is whole only when none is.
    /// Internal, so it is not written into the index.
    /// </summary>
    internal bool IsWhole => TargetReleaseId is not null && TargetImageDigest is not null && DeviceClass is not null
        && Grants is not null && Grants.All(g => g is not null);

    private static void Field(StringBuilder text, string value) => text.Append(Encoding.UTF8.GetByteCount(value)).Append(':').Append(value);
}

/// <summary>A cut to make: its key, and the releases whose images are the target and (for a delta) the base.</summary>
public sealed record BundleCutRequest(BundleCutKey Key, Release Target, Release? Base);

/// <summary>One container of a device's plan: the image it should run and the cut that delivers it.</summary>
/// <param name="UpToDate">The device already reports this image confirmed (the bundle is then a full one it will not fetch).</param>
public sealed record PlannedContainer(string Container, ImageTarget Image, BundleCutRequest Cut, bool UpToDate);

/// <summary>An assignment the device cannot be given, and why (e.g. the release has no image for its class).</summary>
public sealed record PlanGap(string Container, string ReleaseId, string Code, string Message);

/// <summary>The planner's answer for one device.</summary>
public sealed record DesiredStatePlan(string DeviceId, string DeviceClass, EquatableList<PlannedContainer> Containers, EquatableList<PlanGap> Gaps);

/// <summary>The must-match fields of a release's image for one class (trust-model §3 step 9).</summary>
public static class ReleaseIdentities
{
    public static ReleaseIdentity Of(Release release, ReleaseImage image)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(image);
        return new ReleaseIdentity(release.Container, release.Version, image.DeviceClass, checked((long)release.SecurityCounter), image.CodeKind);
    }
}

/// <summary>The bundle a device downloads: its URL on the server, sha256 (hex) and length, and whether it is a delta.</summary>
public sealed record BundleLocation(string Sha256, ulong Length, bool IsDelta)
{
    /// <summary>The public content-addressed URL path, <c>/bundles/sha256/HEX</c>.</summary>
    public string Url => "/bundles/sha256/" + Sha256;

    /// <summary>The director target path, <c>bundles/CONTAINER/SHA256.bundle</c> (<see cref="TargetPaths.Bundle"/>).</summary>
    public string TargetPath(string container) => TargetPaths.Bundle(container, Sha256);
}

/// <summary>One container of the desired state: the image target, the bundle to download and the install window (null:
/// install at once) — what the director signs.</summary>
public sealed record DesiredContainer(string Container, ImageTarget Image, BundleLocation Bundle, bool UpToDate, InstallWindow? Window = null)
{
    /// <summary>What the director signs for this container: the bundle (sha256, length), the image it yields, the window.</summary>
    public OtaMetadata.Director.DirectorBundleTarget DirectorTarget() => new(
        Image.Identity, Bundle.Sha256, checked((long)Bundle.Length), new ImageReference(Image.Sha256, checked((long)Image.Length)), Window);
}

/// <summary>A device's desired state, resolved to cut bundles (<see cref="DesiredStateResolver"/>).</summary>
public sealed record DesiredState(string DeviceId, string DeviceClass, EquatableList<DesiredContainer> Containers, EquatableList<PlanGap> Gaps);
