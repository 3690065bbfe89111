using AtymSecure.DeviceAgent.Status;
using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata.Offline;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Runtime.Execution;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>
/// A running device's offline export that arrived as one tar (an SWUpdate gateway's inbox, a DDI artifact): unpacked by
/// <see cref="OfflineExportArchive"/> into a fresh folder under <c>downloads/</c> (every entry checked before one is
/// written), then handed to <see cref="OfflineExportInstaller"/> — the same verifier, order and trust store as
/// <c>atym device install --metadata</c>, nothing skipped because of how the file came — and the folder removed. An
/// archive that is not an export is refused with <c>export-malformed</c>, recorded in the status; a development device
/// (no roots) refuses every export.
/// </summary>
public static class StagedExportInstaller
{
    public const string UpToDateDetail = "up to date: every image the export names is confirmed or pending";

    public static OfflineInstallOutcome Install(LocalDevice device, StagedUpdate update, RuntimeOptions? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(update);
        var name = "offline export " + update.Name;
        var folder = Path.Combine(device.Directory.Root, "downloads", $"export-{Guid.NewGuid():N}");
        try
        {
            try
            {
                OfflineExportArchive.Unpack(update.BundleFile, folder);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                return Refused(device, name, new MetadataRefusal(ReasonCodes.ExportMalformed, "$", e.Message, null, null, 0));
            }
            try
            {
                var outcome = OfflineExportInstaller.Install(device, folder, runtime, update.Name);
                // Up to date is a verdict too: recorded under the file's name, so a waiting gateway script sees it.
                return outcome is { UpToDate: true, Installs.Count: 0 }
                    ? outcome with { Installs = [device.Status.RecordInstall(name, null, null, InstallResult.Installed, null, UpToDateDetail)] }
                    : outcome;
            }
            catch (DeviceDataException e)
            {
                return Refused(device, name, new MetadataRefusal(ReasonCodes.MetadataMissing, "$", e.Message, null, null, 0));
            }
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One status line for the whole export (what a source reports): the first install that did not succeed, else the last.</summary>
    public static InstallStatus Summary(OfflineInstallOutcome outcome, string name, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Installs.FirstOrDefault(i => i.Result != InstallResult.Installed) is { } bad) return bad;
        if (outcome.Installs.LastOrDefault() is { } last) return last;
        return new InstallStatus(clock.GetUtcNow(), name, null, null, InstallResult.Installed, null, UpToDateDetail);
    }

    private static OfflineInstallOutcome Refused(LocalDevice device, string name, MetadataRefusal refusal)
    {
        var status = device.Status.RecordInstall(name, null, null, InstallResult.Refused, null, $"{refusal.Code}: {refusal.Detail}");
        return new OfflineInstallOutcome(refusal, false, [status]);
    }
}
