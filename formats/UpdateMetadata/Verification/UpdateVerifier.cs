using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>The two repositories a device reads: the director (per-device assignments) and the image repository (TUF).</summary>
public sealed record UpdateSources(IMetadataSource Director, IMetadataSource ImageRepository);

/// <summary>
/// The device's metadata checks, steps 0–10 of docs/trust-model.md §3 — Uptane full verification with TUF's client
/// workflow for the image repository — as a pure component: trusted state and sources in, next state and a verdict
/// out. No I/O of its own beyond the sources, no clock but the injected <see cref="TimeProvider"/>.
/// <list type="number">
/// <item>0: <c>now = max(clock, time floor)</c>.</item>
/// <item>1: director root walk (<see cref="RootChain"/>).</item>
/// <item>2: director targets (<see cref="DirectorCheck"/>).</item>
/// <item>3: nothing new when every named image is confirmed or pending; the image root is still refreshed every
/// <see cref="UpdateMetadataLimits.ImageRootRefreshInterval"/>.</item>
/// <item>4: image root walk; a rotated timestamp or snapshot role drops the stored timestamp and snapshot (fast-forward recovery).</item>
/// <item>5–7: timestamp, snapshot, top-level targets (<see cref="ImageRepositoryCheck"/>).</item>
/// <item>8: the image's path, <c>images/CLASS/CONTAINER/VERSION/cCOUNTER/SHA256.img</c>, through the delegations (<see cref="DelegationSearch"/>).</item>
/// <item>9: director and image repository agree on the image (sha256, length) and on every must-match field; counter ≥ floor.</item>
/// <item>10: the image's source Wasm is listed, with the same sha256, at <c>sources/CONTAINER/VERSION/module.wasm</c>.</item>
/// </list>
/// The first failing check ends the cycle with its reason code; nothing partial is returned as verified.
/// </summary>
public sealed class UpdateVerifier(TimeProvider clock, UpdateMetadataLimits? limits = null)
{
    private readonly UpdateMetadataLimits _limits = limits ?? UpdateMetadataLimits.Default;

    /// <summary>One cycle over the network: the director's per-device document, echoing an accepted nonce.</summary>
    public UpdateCheck Check(TrustedState state, UpdateSources sources, DeviceContext device) => Check(state, sources, device, OnlineDirector);

    /// <summary>
    /// One cycle over an offline export (docs/trust-model.md §6): the same steps in the same order, except that step 2
    /// reads the offline director document (<see cref="OfflineDirectorCheck"/>: no nonce, version ≥
    /// <paramref name="offlineVersion"/>, the last offline version this device accepted) and the image repository's
    /// timestamp, snapshot and targets expiries are judged at its <c>exportedAt</c> (roots and the offline document at
    /// now). The stored online director document is left as it is. <see cref="VerifiedUpdate.OfflineVersion"/> is what
    /// the device stores next.
    /// </summary>
    public UpdateCheck CheckOffline(TrustedState state, UpdateSources export, DeviceContext device, long offlineVersion) =>
        Check(state, export, device, cycle =>
        {
            var root = cycle.State.DirectorRoot;
            var (document, assignments, custom) = OfflineDirectorCheck.Verify(cycle.Sources.Director, root, offlineVersion, cycle.Device, _limits, cycle.Now);
            return new DirectorVerdict(document.Signed.Version, null, assignments, custom.ExportedAt);
        });

    private UpdateCheck Check(TrustedState state, UpdateSources sources, DeviceContext device, Func<Cycle, DirectorVerdict> director)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(device);
        var clockNow = clock.GetUtcNow();
        var cycle = new Cycle(state, sources, device, clockNow > state.TimeFloor ? clockNow : state.TimeFloor);
        try
        {
            var update = Run(cycle, director);
            return new UpdateCheck(cycle.State with { TimeFloor = cycle.Now }, update, null);
        }
        catch (MetadataRefusedException e)
        {
            return new UpdateCheck(cycle.State, null, e.Refusal);
        }
    }

    /// <summary>What step 2 yields: the document's version, the nonce it echoes (online), the assignments, and the time the image repository is judged at.</summary>
    private sealed record DirectorVerdict(long Version, string? Nonce, IReadOnlyList<DirectorAssignment> Assignments, DateTimeOffset ImageRepositoryTime);

    private DirectorVerdict OnlineDirector(Cycle cycle)
    {
        var (document, assignments) = DirectorCheck.Verify(cycle.Sources.Director, cycle.State.DirectorRoot, cycle.State.DirectorTargets, cycle.Device, _limits, cycle.Now);
        cycle.State = cycle.State with { DirectorTargets = document };
        var nonce = DirectorDocumentCustom.FromJson(document.Signed.Custom, "$.signed.custom").Nonce;
        return new DirectorVerdict(document.Signed.Version, nonce, assignments, cycle.Now);
    }

    /// <summary>One cycle's inputs and its progress: <see cref="State"/> takes each file as soon as it verified.</summary>
    private sealed class Cycle(TrustedState state, UpdateSources sources, DeviceContext device, DateTimeOffset now)
    {
        public TrustedState State { get; set; } = state;
        public UpdateSources Sources { get; } = sources;
        public DeviceContext Device { get; } = device;
        public DateTimeOffset Now { get; } = now;
    }

    private VerifiedUpdate? Run(Cycle cycle, Func<Cycle, DirectorVerdict> director)
    {
        var device = cycle.Device;

        // Steps 1-2: the director.
        RootChain.Walk(cycle.State.DirectorRoot, new MetadataFetch(cycle.Sources.Director, "director", 1),
            TrustedState.DirectorRoles, _limits, cycle.Now, root => cycle.State = WithDirectorRoot(cycle.State, root));
        var verdict = director(cycle);

        // Step 3: nothing new.
        var fresh = verdict.Assignments.Where(a => !device.Containers[a.Container].Holds(a.Target.Image.Sha256)).ToList();
        if (fresh.Count == 0)
        {
            if (cycle.State.ImageRootRefreshedAt is not { } last || cycle.Now - last >= _limits.ImageRootRefreshInterval)
                RefreshImageRoot(cycle);
            return null;
        }

        // Steps 4-7: the image repository.
        RefreshImageRoot(cycle);
        var repository = new ImageRepositoryCheck(cycle.Sources.ImageRepository, cycle.State.ImageRoot, _limits, verdict.ImageRepositoryTime,
            (timestamp, snapshot) => cycle.State = cycle.State with { ImageTimestamp = timestamp, ImageSnapshot = snapshot });
        var topLevel = repository.Refresh(cycle.State.ImageTimestamp, cycle.State.ImageSnapshot);

        // Steps 8-10 for each container whose image changes.
        var installs = fresh.Select(a => VerifyAssignment(a, device, topLevel, repository)).ToList();
        return new VerifiedUpdate(verdict.Version, verdict.Nonce, installs);
    }

    private static TrustedState WithDirectorRoot(TrustedState state, SignedMetadata<RootMetadata> root) => state with
    {
        DirectorRoot = root,
        // A rotated director targets role makes the stored document unverifiable: it counts as deleted.
        DirectorTargets = state.DirectorTargets is { } held ? TrustedState.KeepIfSigned(held, root, "targets") : null,
    };

    private void RefreshImageRoot(Cycle cycle)
    {
        var before = cycle.State.ImageRoot.Signed;
        RootChain.Walk(cycle.State.ImageRoot, new MetadataFetch(cycle.Sources.ImageRepository, "image repository", 4), TrustedState.ImageRoles, _limits, cycle.Now, root =>
        {
            // TUF §5.3.11: new timestamp or snapshot keys delete both (fast-forward recovery); a file the new root's
            // keys no longer sign is gone too.
            var state = cycle.State;
            var rotated = RootChain.RoleChanged(before, root.Signed, "timestamp") || RootChain.RoleChanged(before, root.Signed, "snapshot");
            cycle.State = state with
            {
                ImageRoot = root,
                ImageTimestamp = rotated || state.ImageTimestamp is null ? null : TrustedState.KeepIfSigned(state.ImageTimestamp, root, "timestamp"),
                ImageSnapshot = rotated || state.ImageSnapshot is null ? null : TrustedState.KeepIfSigned(state.ImageSnapshot, root, "snapshot"),
            };
        });
        cycle.State = cycle.State with { ImageRootRefreshedAt = cycle.Now };
    }

    private VerifiedInstall VerifyAssignment(DirectorAssignment assignment, DeviceContext device, SignedMetadata<TargetsMetadata> topLevel, ImageRepositoryCheck repository)
    {
        var release = assignment.Target.Release;
        var image = assignment.Target.Image;
        var imagePath = TargetPaths.Image(release, image.Sha256);

        // Step 8: the delegation that owns the image path lists it.
        var found = DelegationSearch.Find(imagePath, topLevel, repository, _limits)
            ?? throw Refuse(8, ReasonCodes.TargetNotListed, null, imagePath, "$", "no delegation that owns this path lists the image the director names");
        var listedAt = $"$.signed.targets[\"{imagePath}\"]";

        // Step 9: the same image, the same release.
        if (found.File.Sha256 != image.Sha256 || found.File.Length != image.Length)
            throw Refuse(9, ReasonCodes.TargetMismatch, found.Role.Name, imagePath, listedAt,
                $"the image repository lists {found.File.Length} bytes sha256 {found.File.Sha256}, the director names {image.Length} bytes sha256 {image.Sha256}");
        ImageTargetCustom listed;
        try
        {
            listed = ImageTargetCustom.FromJson(found.File.Custom, listedAt + ".custom");
        }
        catch (MetadataRefusedException e)
        {
            throw e.In(found.Role.Name, imagePath, 9);
        }
        if (listed.Release.FirstDifference(release) is { } field)
            throw Refuse(9, ReasonCodes.TargetMismatch, found.Role.Name, imagePath, $"{listedAt}.custom.{field}", $"director and image repository disagree on {field}");
        var floor = device.Containers[release.Container].SecurityCounterFloor;
        if (release.SecurityCounter < floor)
            throw Refuse(9, ReasonCodes.CounterRollback, found.Role.Name, imagePath, $"{listedAt}.custom.securityCounter",
                $"security counter {release.SecurityCounter} is below this container's floor {floor}");

        // Step 10: the vendor listed the source this image was compiled from.
        var sourcePath = TargetPaths.Source(release.Container, release.Version);
        var source = DelegationSearch.Find(sourcePath, topLevel, repository, _limits)
            ?? throw Refuse(10, ReasonCodes.SourceNotListed, null, sourcePath, "$", "no vendor delegation for this container lists its source Wasm");
        if (source.File.Sha256 != listed.SourceWasmSha256)
            throw Refuse(10, ReasonCodes.SourceNotListed, source.Role.Name, sourcePath, $"$.signed.targets[\"{sourcePath}\"].hashes.sha256",
                $"the vendor lists sha256 {source.File.Sha256}, the image was compiled from {listed.SourceWasmDigest}");

        return new VerifiedInstall(release, assignment.BundlePath, assignment.Bundle, imagePath, image, listed.SourceWasmDigest,
            VerifiedRoleKeys.Of(found), VerifiedRoleKeys.Of(source), assignment.Target.Window);
    }

    /// <summary>A refusal about a target: <paramref name="target"/> is its path (the refusal's file), <paramref name="path"/> the JSON path in the listing.</summary>
    private static MetadataRefusedException Refuse(int step, string code, string? role, string target, string path, string detail) =>
        new(new MetadataRefusal(code, path, detail, role, target, step));
}
