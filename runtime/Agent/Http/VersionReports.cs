using System.Text.RegularExpressions;
using AtymSecure.Bootloader.Layout;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Primitives;
using AtymSecure.Runtime;

namespace AtymSecure.DeviceAgent.Http;

/// <summary>
/// What the device tells the server it runs (issue 12 §4, docs/device-protocol.md): per container the confirmed and
/// trial slots with version, image digest and counter, attempts left, the last install with its reason code, the last
/// trial verdict with the probe's reason, a downloaded bundle held for its install window; the boot count; the trust mode; and the last refused update's <c>{code, step, role, detail}</c>
/// (trust model §3). Built from the bootloader's state (through the device's gate) and the status file.
/// </summary>
public static partial class VersionReports
{
    public static VersionReport Of(LocalDevice device, string nonce, RefusalReport? lastRefusal)
    {
        ArgumentNullException.ThrowIfNull(device);
        var status = device.Status.Current;
        var containers = device.SlotStatus().Select(c => new ContainerReport(
            c.Name,
            SlotOf(c, c.ConfirmedSlot),
            SlotOf(c, c.TrialSlot),
            Math.Clamp(c.AttemptsLeft, 0, 255),
            status.Installs.LastOrDefault(i => i.Container == c.Name) is { } install ? InstallOf(install) : null,
            status.Trials.LastOrDefault(t => t.Container == c.Name) is { } trial && SemanticVersion.TryParse(trial.Version, out _)
                ? new TrialReport(StatusNames.Of(trial.Verdict), trial.Version, Clip(trial.Reason)) : null,
            status.AwaitingWindow?.FirstOrDefault(w => w.Container == c.Name) is { } wait
                ? new WindowWaitReport(wait.Version, wait.OpensAt?.ToUnixTimeSeconds()) : null));
        return new VersionReport(device.Identity.DeviceId, nonce, device.Clock.GetUtcNow().ToUnixTimeSeconds(),
            device.IsProduction ? "production" : "development", RuntimeVersion.Current.ToString(), new EquatableList<ContainerReport>(containers),
            // The boot count is the last boot's number (status.json, written at every boot selection); 0: not booted yet.
            BootCount: status.LastBoot?.Number ?? 0, lastRefusal);
    }

    private static SlotReport? SlotOf(ContainerStatus container, SlotId slot) =>
        slot == SlotId.None || container.Slots.FirstOrDefault(s => s.Slot == slot) is not { Version: { } version, Digest: { } digest } held
            ? null
            : new SlotReport(StatusNames.Of(slot), version, digest, held.SecurityCounter);

    /// <summary>The installer writes refusals as <c>code: message; …</c>: the first code is the report's.</summary>
    internal static InstallReport InstallOf(InstallStatus install) =>
        new(StatusNames.Of(install.Result), install.Result == InstallResult.Installed ? null : CodeOf(install.Detail), Clip(install.Detail));

    internal static string? CodeOf(string detail) => LeadingCode().Match(detail) is { Success: true } m ? m.Groups[1].Value : null;

    private static string? Clip(string? text) => text is null ? null : text.Length <= VersionReport.MaxDetailLength ? text : text[..VersionReport.MaxDetailLength];

    [GeneratedRegex("^([a-z][a-z0-9]*(?:-[a-z0-9]+)*): ", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingCode();
}
