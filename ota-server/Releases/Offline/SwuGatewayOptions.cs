using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Offline;

/// <summary>
/// How the server packs an offline export for an SWUpdate gateway (docs/ddi.md, "SWUpdate gateways"): which device
/// classes are gateways that get an <c>.swu</c> (the others get the signed bundle), where the atym agent's inbox is on
/// the gateway (the <c>rawfile</c> destination), the revisions <c>hardware-compatibility</c> lists (matched against
/// <c>swupdate -H BOARD:REV</c>), an optional software set and mode (<c>swupdate -e SET,MODE</c>), and the PEM
/// certificate and key that sign <c>sw-description</c> (the gateway's <c>swupdate -k</c> is that certificate).
/// With <see cref="AtymCommand"/> and <see cref="DeviceDirectory"/> the <c>.swu</c> also carries a <c>postinstall</c>
/// script (<see cref="OfflineExportSwu"/>) that runs <c>atym device await-install</c> for the file just dropped, so the
/// agent's verdict becomes SWUpdate's install result. Immutable; <see cref="Validate"/> reports every problem.
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

    /// <summary>The <c>atym</c> executable on the gateway (e.g. <c>/usr/bin/atym</c>); null: no post-install script, SWUpdate's result is the copy's only.</summary>
    public string? AtymCommand { get; init; }

    /// <summary>The agent's <c>--data</c> folder on the gateway; <see cref="InboxDirectory"/> must be its <c>inbox</c>. Set together with <see cref="AtymCommand"/>.</summary>
    public string? DeviceDirectory { get; init; }

    /// <summary>How long the script waits for the agent's verdict (take, verify, install, health trial) before it fails the install.</summary>
    public TimeSpan VerdictTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether the .swu carries the post-install script that waits for the agent.</summary>
    public bool AwaitsAgentVerdict => AtymCommand is not null && DeviceDirectory is not null;

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
        if ((AtymCommand is null) != (DeviceDirectory is null))
            errors.Add(new Problem("required", prefix + ".atymCommand", "atymCommand and deviceDirectory go together (the post-install script needs both)"));
        if (AtymCommand is not null && !IsScriptPath(AtymCommand))
            errors.Add(new Problem("invalid-path", prefix + ".atymCommand", "an absolute path of letters, digits, '/', '.', '_', '-', '+' only, without '.' or '..' segments"));
        if (DeviceDirectory is not null)
        {
            if (!IsScriptPath(DeviceDirectory))
                errors.Add(new Problem("invalid-path", prefix + ".deviceDirectory", "an absolute path of letters, digits, '/', '.', '_', '-', '+' only, without '.' or '..' segments"));
            else if (InboxDirectory != DeviceDirectory + "/inbox")
                errors.Add(new Problem("invalid-path", prefix + ".inboxDirectory", $"the agent's inbox is {DeviceDirectory}/inbox when deviceDirectory is {DeviceDirectory}"));
        }
        if (VerdictTimeout < TimeSpan.FromSeconds(1) || VerdictTimeout > TimeSpan.FromDays(1))
            errors.Add(new Problem("out-of-range", prefix + ".verdictTimeout", "1 second to 1 day"));
        return errors;
    }

    /// <summary>A path the script can name without quoting doubts: absolute, a safe character set, no dot segments, no trailing '/'.</summary>
    public static bool IsScriptPath(string path) =>
        path is { Length: > 1 and <= 255 } && path.StartsWith('/') && !path.EndsWith('/')
        && path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+')
        && !path.Split('/').Skip(1).Any(s => s is "" or "." or "..");
}
