using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Offline;

/// <summary>
/// How the server packs an offline export for an SWUpdate gateway (docs/ddi.md, "SWUpdate gateways"): which device
/// classes are gateways that get an <c>.swu</c> (the others get the signed bundle), where the atym agent's inbox is on
/// the gateway (the <c>rawfile</c> destination), the revisions <c>hardware-compatibility</c> lists (matched against
/// <c>swupdate -H BOARD:REV</c>), an optional software set and mode (<c>swupdate -e SET,MODE</c>), and the PEM
/// certificate and key that sign <c>sw-description</c> (the gateway's <c>swupdate -k</c> is that certificate).
/// Immutable; <see cref="Validate"/> reports every problem.
/// </summary>
public sealed record SwuGatewayOptions
{
    public EquatableList<string> DeviceClasses { get; init; } = new(["linux-x86_64", "linux-aarch64"]);

    /// <summary>The agent's inbox on the gateway: <c>DATA/inbox</c> of its <c>atym device run --data DATA</c>.</summary>
    public string InboxDirectory { get; init; } = "/var/lib/atym/device/inbox";

    public EquatableList<string> HardwareCompatibility { get; init; } = new(["1.0"]);

    public string? SoftwareSet { get; init; }

    public string? SoftwareMode { get; init; }

    public string CertificateFile { get; init; } = "";

    public string KeyFile { get; init; } = "";

    public IReadOnlyList<Problem> Validate(string prefix = "ddi.swu")
    {
        var errors = new List<Problem>();
        if (DeviceClasses is not { Count: > 0 }) errors.Add(new Problem("required", prefix + ".deviceClasses", "at least one device class"));
        if (InboxDirectory is not { Length: > 1 } || !InboxDirectory.StartsWith('/') || InboxDirectory.EndsWith('/') || InboxDirectory.Split('/').Any(s => s is "." or ".."))
            errors.Add(new Problem("invalid-path", prefix + ".inboxDirectory", "an absolute folder path without '.' or '..' and no trailing '/'"));
        if (HardwareCompatibility is not { Count: > 0 }) errors.Add(new Problem("required", prefix + ".hardwareCompatibility", "at least one revision"));
        if ((SoftwareSet is null) != (SoftwareMode is null)) errors.Add(new Problem("required", prefix + ".softwareSet", "softwareSet and softwareMode go together"));
        if (string.IsNullOrWhiteSpace(CertificateFile)) errors.Add(new Problem("required", prefix + ".certificateFile", "the PEM certificate that signs .swu images"));
        if (string.IsNullOrWhiteSpace(KeyFile)) errors.Add(new Problem("required", prefix + ".keyFile", "the PEM private key of the certificate"));
        return errors;
    }
}
