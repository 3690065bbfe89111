using System.Collections.Concurrent;
using System.Text.Json;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaStore;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Primitives;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaReleases.Policy;

/// <summary>A release as one device gets it (its class's image carrying the grants the policy derives for the device), or why it gets none.</summary>
public sealed record GrantedRelease(Release? Release, PlanGap? Gap);

/// <summary>
/// The device half of the permission policy (issue 15 §3 "Device"): the grants a device's image carries come from the
/// serving policy set, never from the container alone. For each release a device is to run, the grants are derived for
/// the device's groups (<see cref="PermissionGrants.Derive"/>: requested ∩ allowed in every group). When they equal what
/// the release's image for the class carries (the container's own permissions, built at import), that image is used.
/// Otherwise the device gets a variant image with the narrowed grants: cut once per (release, class, grant set) through
/// the one cut path (<see cref="IBundleCutter"/>, a full bundle signed by the compiler key, stored and indexed under its
/// <see cref="BundleCutKey"/> whose grants make it another key than the full image's), listed in the image repository's
/// <c>compiler-CLASS</c> delegation (<see cref="CompiledImagePublisher"/>) before any director target names it, and
/// recorded in the audit log with what was withheld, by which rule where, and the policy set's digest. Since the
/// grants are derived at every poll from the set serving then, a policy that narrows after a deployment takes effect at
/// the device's next poll: it is offered the narrowed image and runs with less.
/// <para>
/// Why the narrowing is not refused here: deployment creation and every wave already refuse a release that asks for
/// more than the group allows (<see cref="PolicyEvaluator"/>'s permission step, 403 <c>permission-policy-denied</c>
/// naming the rule). What reaches this point is a direct assignment, or a deployment made before the policy narrowed;
/// the container format has no optional permissions, so a container whose code needs a withheld capability fails its
/// trial on the device (an import that is not granted does not link) and is reverted, which is the device refusing it.
/// A raw wasm2c object carries no grants: if the policy withholds anything there, the device gets a gap
/// (<see cref="ReleaseProblemCodes.GrantsNotCarried"/>), never the container's full permissions.
/// </para>
/// <para>
/// Variants are remembered in memory; after a restart the first poll that needs one cuts it again (deterministic: the
/// same bytes, the same index entry, an idempotent listing), so the cost is one cut per variant per process.
/// </para>
/// </summary>
public sealed class PolicyGrantedImages(OtaPolicyGate gate, IBundleCutter cutter, IBundleStore files, CompiledImagePublisher? publisher, ILogger? log = null)
{
    private readonly ConcurrentDictionary<(string Release, string DeviceClass, Digest Grants), Lazy<Task<ReleaseImage>>> _variants = new();

    /// <summary>Variants cut so far by this process (a test and the log read it).</summary>
    public int VariantCount => _variants.Count(v => v.Value.IsValueCreated && v.Value.Value.IsCompletedSuccessfully);

    /// <summary>
    /// <paramref name="release"/> as <paramref name="device"/> gets it: its class's image replaced by the one carrying the
    /// derived grants. A release without an image for the class is returned as it is (the planner reports that gap).
    /// </summary>
    public async Task<GrantedRelease> ForDeviceAsync(Release release, DeviceView device, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(device);
        if (release.ImageFor(device.DeviceClass) is not { } image) return new GrantedRelease(release, null);
        if (gate.Source.State.Serving is not { } set)
            return Gap(release, PolicyRefusalCodes.Unavailable, $"no valid policy set is loaded from {gate.Source.Folder}: grants cannot be derived (see /readyz)");
        var carriesGrants = image.CodeKind != ArtifactKind.Wasm2cObject;
        IReadOnlyList<Capability> requested = carriesGrants
            ? [.. image.Grants.Select(Capability.Parse)]
            : [.. (release.PolicyFacts?.Permissions ?? []).Select(Capability.Parse)];
        var derived = PermissionGrants.Derive(set, release.Container, requested, device.Groups);
        if (!carriesGrants)
        {
            return derived.IsComplete ? new GrantedRelease(release, null) : Gap(release, ReleaseProblemCodes.GrantsNotCarried,
                $"{release.Container} {release.Version} on {device.DeviceClass} is linked into firmware and cannot carry fewer grants; the policy withholds {Withheld(derived)}; policy set {derived.PolicySet}");
        }
        if (derived.GrantTexts.SequenceEqual(image.Grants, StringComparer.Ordinal)) return new GrantedRelease(release, null);
        var variant = await VariantAsync(release, image, derived).WaitAsync(ct).ConfigureAwait(false);
        return new GrantedRelease(release with { Images = [.. release.Images.Select(i => i == image ? variant : i)] }, null);
    }

    private Task<ReleaseImage> VariantAsync(Release release, ReleaseImage image, DerivedGrants derived)
    {
        var id = (release.Id, image.DeviceClass, derived.Digest);
        var flight = _variants.GetOrAdd(id, _ => new Lazy<Task<ReleaseImage>>(() => Task.Run(() => CutAsync(release, image, derived), CancellationToken.None)));
        return Forget(id, flight);
    }

    /// <summary>A failed cut is forgotten, so the next poll tries again (a registry outage must not stick).</summary>
    private async Task<ReleaseImage> Forget((string, string, Digest) id, Lazy<Task<ReleaseImage>> flight)
    {
        try
        {
            return await flight.Value.ConfigureAwait(false);
        }
        catch
        {
            _variants.TryRemove(new KeyValuePair<(string, string, Digest), Lazy<Task<ReleaseImage>>>(id, flight));
            throw;
        }
    }

    private async Task<ReleaseImage> CutAsync(Release release, ReleaseImage image, DerivedGrants derived)
    {
        // The cutter builds from the release, the class and the grants; the image digest is what the cut yields.
        var asked = new BundleCutKey(null, release.Id, image.ImageDigest, image.DeviceClass, derived.GrantTexts);
        var bundle = await cutter.CutAsync(new BundleCutRequest(asked, release, null), CancellationToken.None).ConfigureAwait(false);
        var variant = image with
        {
            ImageDigest = bundle.Header.TargetDigest.ToString(),
            ImageLength = bundle.Header.TargetSize,
            Grants = derived.GrantTexts,
        };
        var location = await files.StoreAsync(bundle, CancellationToken.None).ConfigureAwait(false);
        await files.RecordCutAsync(asked with { TargetImageDigest = variant.ImageDigest }, location, CancellationToken.None).ConfigureAwait(false);
        if (publisher?.Publish(release with { Images = [variant] }) is [var (deviceClass, reason), ..])
            throw new InvalidOperationException($"the image of {release.Container} {release.Version} with the grants the policy derives cannot be listed for {deviceClass}: {reason}");
        gate.RecordGrants(release, variant, derived);
        log?.LogInformation("{Container} {Version} on {Class}: policy set {PolicySet} grants [{Granted}], withholds {Withheld}: image {Image}",
            release.Container, release.Version, image.DeviceClass, derived.PolicySet, string.Join(", ", derived.GrantTexts), Withheld(derived), variant.ImageDigest);
        return variant;
    }

    private static string Withheld(DerivedGrants derived) => string.Join("; ", derived.Withheld.Select(w =>
        $"{w.Permission} in group {(w.Group.Length == 0 ? "(none)" : w.Group)} ({(w.Rules.Count == 0 ? "no permission rule covers it" : $"not in {string.Join(", ", w.Rules.Select(r => "permission/" + r))}{(w.At is { } at ? $" ({at})" : "")}")})"));

    private static GrantedRelease Gap(Release release, string code, string message) =>
        new(null, new PlanGap(release.Container, release.Id, code, message));

    /// <summary>The audit entry's JSON for a derived grant set (<see cref="OtaPolicyGate.RecordGrants"/>).</summary>
    internal static string AuditJson(ReleaseImage variant, DerivedGrants derived) => JsonSerializer.Serialize(new
    {
        image = variant.ImageDigest,
        granted = derived.GrantTexts,
        withheld = derived.Withheld.Select(w => new { permission = w.Permission.ToString(), group = w.Group, rules = w.Rules, at = w.At?.ToString() }),
        policySet = derived.PolicySet.ToString(),
    });
}
