using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats;
using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Install;

/// <summary>
/// The device-side half of install verification (the image's <see cref="IInstallPreCheck"/> supplies the
/// authenticity half): the container is on this device with no trial running, the image fits — class, size,
/// security floor, delta base — by the shared <see cref="DeviceFitChecks"/>, with expectations taken from this
/// container's state (the effective floor: max of log and counter store), the counter store has room when the counter
/// would raise the floor, and the state log can record its version; a device in recovery takes recovery images only, and
/// only it takes them. Runs for every kind of install image, so no pre-check can skip the security floor. Reads state only.
/// </summary>
public static class DeviceInstallChecks
{
    public static IReadOnlyList<Problem> Check(IInstallImage image, ContainerStateStore store, BootloaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var table = store.Table;
        var problems = new List<Problem>();
        if (store.Log.InRecovery && !image.Recovery)
            problems.Add(new(ReasonCodes.RecoveryState, "device",
                "the device is in recovery (its state log holds records of which none verifies); only a recovery bundle signed by a recovery key installs, or an operator re-provisions it"));
        if (!store.Log.InRecovery && image.Recovery)
            problems.Add(new(ReasonCodes.NotInRecovery, "recovery", "a recovery bundle installs only on a device in recovery; this one is not (cut an ordinary bundle)"));
        var index = table.ContainerIndex(image.ContainerName);
        if (index < 0)
        {
            problems.Add(new(ReasonCodes.UnknownContainer, "containerName", $"no container '{image.ContainerName}' on this device"));
        }
        else
        {
            // As the install will see it (ContainerTransitions.BeginInstall): a confirmed image below the floor is no base.
            var record = ContainerTransitions.WithoutConfirmedBelowFloor(store.Get(index));
            if (record.State == ContainerState.TrialBooted)
                problems.Add(new(ReasonCodes.TrialRunning, "containerName", "a trial of this container is running; confirm or reject it first"));
            var target = table.Slot(image.ContainerName, ContainerTransitions.InstallTarget(record));
            problems.AddRange(DeviceFitChecks.Check(Candidate(image), Expectations(record, target, options)));
            // Refused up front: a confirm of this image would have to raise the floor in a store that has no entry left.
            if (image.SecurityCounter > record.SecurityFloor && store.Counter(index) is { Exhausted: true } counter)
                problems.Add(new(ReasonCodes.CounterExhausted, "securityCounter",
                    $"security counter {image.SecurityCounter} is above this container's floor {record.SecurityFloor}, but its counter store is used up ({counter.Used}/{counter.Capacity}); only counter {record.SecurityFloor} can still install"));
        }
        if (store.Log.CannotRecord(image.Version) is { } unrecordable) problems.Add(new(ReasonCodes.VersionNotRecordable, "containerVersion", unrecordable));
        return problems;
    }

    /// <summary>What this device expects of an image installed into <paramref name="target"/> for the container of <paramref name="record"/>.</summary>
    private static BundleExpectations Expectations(ContainerRecord record, Partition target, BootloaderOptions options) => new(
        options.DeviceClass,
        options.Clock.GetUtcNow(),
        record.SecurityFloor,
        // The state record holds image sizes in 32 bits.
        (ulong)Math.Min(target.Size, uint.MaxValue),
        // A failed container has no image a delta may apply to.
        record.State == ContainerState.Failed ? null : record.ConfirmedImage?.Digest);

    private static InstallCandidate Candidate(IInstallImage image) => new(
        image.DeviceClass,
        image.SecurityCounter,
        (ulong)Math.Max(0, image.TargetSize),
        image.Kind,
        image.BaseDigest);
}
