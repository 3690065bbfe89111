namespace AtymSecure.DeviceAgent.Provisioning;

/// <summary>
/// The <see cref="AtymSecure.Primitives.Problem.Code"/>s of a device.json (or <c>device init</c> plan) refused by
/// <see cref="DeviceIdentity.Validate"/>, and of a trust.json refused by <see cref="DeviceTrustFile.Validate"/> (with
/// <see cref="AtymSecure.Formats.Bundle.TrustAnchorProblemCodes"/> for roles and patterns). Container names keep the container-name rule's own code
/// (<see cref="AtymSecure.Formats.Container.ConfigProblemCodes.InvalidName"/>). Stable: tests name them.
/// </summary>
public static class DeviceIdentityProblemCodes
{
    public const string InvalidDeviceId = "invalid-device-id";
    public const string Missing = "missing";
    public const string ContainerCount = "container-count";
    public const string SlotSizeOutOfRange = "slot-size-out-of-range";
    public const string DuplicateContainer = "duplicate-container";

    /// <summary>trust.json: a trusted key file name that is not <c>&lt;key id&gt;.pub</c> in trusted/ (no paths).</summary>
    public const string InvalidKeyFile = "invalid-key-file";

    /// <summary>trust.json: a trust mode other than <c>development</c> (production roots come with issue 13).</summary>
    public const string UnknownTrustMode = "unknown-trust-mode";
}
