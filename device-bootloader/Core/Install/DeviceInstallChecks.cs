using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;

namespace AtymSecure.Bootloader.Install;

/// <summary>
/// The device-side half of install verification (the bundle reader supplies the authenticity
/// half): known container, device class, fits the slot, not below the rollback floor, no trial
/// running, and for a delta a base that is exactly the confirmed image. Reads state only.
/// </summary>
public static class DeviceInstallChecks
{
    public static IReadOnlyList<InstallProblem> Check(IInstallImage image, PartitionTable table, ContainerStateStore store, BootloaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<InstallProblem>();
        if (!string.Equals(image.DeviceClass, options.DeviceClass, StringComparison.Ordinal))
            problems.Add(new(InstallProblemCodes.DeviceMismatch, $"image is for device class '{image.DeviceClass}', this device is '{options.DeviceClass}'"));
        if (image.TargetSize <= 0)
            problems.Add(new(InstallProblemCodes.EmptyImage, $"image size {image.TargetSize} is not positive"));

        var index = table.ContainerIndex(image.ContainerName);
        if (index < 0)
        {
            problems.Add(new(InstallProblemCodes.UnknownContainer, $"no container '{image.ContainerName}' on this device"));
            return problems;
        }

        var record = store.Get(index);
        if (record.State == ContainerState.TrialBooted)
            problems.Add(new(InstallProblemCodes.TrialRunning, "a trial of this container is running; confirm or reject it first"));

        var target = table.Slot(image.ContainerName, ContainerTransitions.InstallTarget(record));
        if (image.TargetSize > target.Size || image.TargetSize > uint.MaxValue)
            problems.Add(new(InstallProblemCodes.TooLarge, $"image of {image.TargetSize} bytes does not fit slot {target.Slot} ({target.Size} bytes)"));

        if (image.SecurityCounter < record.SecurityFloor)
            problems.Add(new(InstallProblemCodes.RollbackRefused, $"security counter {image.SecurityCounter} is below this device's floor {record.SecurityFloor}"));

        if (image.Kind == ImageKind.Delta)
        {
            var confirmed = record.ConfirmedImage;
            if (image.BaseDigest is null || confirmed is null || record.State == ContainerState.Failed)
                problems.Add(new(InstallProblemCodes.DeltaWithoutBase, "a delta needs a confirmed image to apply to"));
            else if (confirmed.Value.Digest != image.BaseDigest)
                problems.Add(new(InstallProblemCodes.DeltaBaseMismatch, $"delta applies to {image.BaseDigest}, the confirmed image is {confirmed.Value.Digest}"));
        }
        return problems;
    }
}
