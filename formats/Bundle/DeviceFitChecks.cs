using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Whether an update fits the device it is offered to: device class, a non-empty image that fits the slot, a
/// security counter not below the floor, and for a delta a base that is exactly the installed image. The one copy of
/// these checks: <see cref="BundleVerifier"/> runs them for the server and the device's bootloader runs them for every
/// image it installs. Each failed check is one problem with its <see cref="ReasonCodes"/> code.
/// </summary>
public static class DeviceFitChecks
{
    public static IReadOnlyList<Problem> Check(InstallCandidate update, BundleExpectations device)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(device);
        var problems = new List<Problem>();
        void Add(string code, string path, string message) => problems.Add(new Problem(code, path, message));

        if (!string.Equals(update.DeviceClass, device.DeviceClass, StringComparison.Ordinal))
            Add(ReasonCodes.WrongClass, "deviceClass", $"built for device class '{update.DeviceClass}', this device is '{device.DeviceClass}'");
        if (update.TargetSize == 0)
            Add(ReasonCodes.BundleMalformed, "targetSize", "the image is empty");
        else if (update.TargetSize > device.SlotCapacity)
            Add(ReasonCodes.TooLarge, "targetSize", $"image of {update.TargetSize} bytes does not fit the {device.SlotCapacity}-byte slot");
        if (update.SecurityCounter < device.MinimumSecurityCounter)
            Add(ReasonCodes.CounterRollback, "securityCounter", $"security counter {update.SecurityCounter} is below this device's floor {device.MinimumSecurityCounter}");
        if (update.Kind == PayloadKind.Delta)
        {
            if (update.BaseDigest is not { } baseDigest || device.InstalledDigest is not { } installed)
                Add(ReasonCodes.DeltaWithoutBase, "baseDigest", "a delta needs a confirmed image to apply to");
            else if (baseDigest != installed)
                Add(ReasonCodes.DeltaBaseMismatch, "baseDigest", $"delta applies to {baseDigest.Encoded}, the confirmed image is {installed.Encoded}");
        }
        return problems;
    }
}
