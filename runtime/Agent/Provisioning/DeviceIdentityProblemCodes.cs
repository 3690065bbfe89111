namespace AtymSecure.DeviceAgent.Provisioning;

/// <summary>
/// The <see cref="AtymSecure.Primitives.Problem.Code"/>s of a device.json (or <c>device init</c> plan) refused by
/// <see cref="DeviceIdentity.Validate"/>. Container names keep the container-name rule's own code
/// (<see cref="AtymSecure.Formats.Container.ConfigProblemCodes.InvalidName"/>). Stable: tests name them.
/// </summary>
public static class DeviceIdentityProblemCodes
{
    public const string InvalidDeviceId = "invalid-device-id";
    public const string Missing = "missing";
    public const string ContainerCount = "container-count";
    public const string SlotSizeOutOfRange = "slot-size-out-of-range";
    public const string DuplicateContainer = "duplicate-container";
}
