using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Trust;
using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Offline;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;
using AtymSecure.Runtime;
using AtymSecure.Runtime.Execution;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>What <c>atym device install --metadata DIR</c> did: the metadata verdict and each install it led to.</summary>
/// <param name="Refusal">The metadata refusal (reason code, step, role, file), or null.</param>
/// <param name="UpToDate">Every image the export names is already confirmed or pending.</param>
public sealed record OfflineInstallOutcome(MetadataRefusal? Refusal, bool UpToDate, IReadOnlyList<InstallStatus> Installs)
{
    public bool Succeeded => Refusal is null && Installs.All(i => i.Result == InstallResult.Installed);
}

/// <summary>
/// The device's offline path (docs/trust-model.md §6): an export folder (<see cref="OfflineExportLayout"/>) verified
/// by the same <see cref="UpdateVerifier"/>, in the same order, as the HTTP path — its folders are the metadata
/// sources, <see cref="UpdateVerifier.CheckOffline"/> reads the offline director document — with the state it returns
/// persisted in the trust store before anything is installed (also on refusal), and the offline version raised, so an
/// older export is refused afterwards. Each bundle is copied from the export through
/// <see cref="LengthBoundedDownload"/> (at most its signed length, its signed sha256: step 11) into the device folder,
/// then installed with its <see cref="VerifiedInstall"/> (steps 12–15, <see cref="BundleFileInstaller"/>).
/// Refusals are recorded in the status with their reason code; nothing is written to a slot before every check passed.
/// </summary>
public static class OfflineExportInstaller
{
    /// <exception cref="DeviceDataException">A development device (no roots to verify an export against).</exception>
    /// <param name="source">What the status lines call the export (<c>offline export NAME</c>); default the folder's name.
    /// The inbox passes the file it took, so <see cref="InstallAwaiter"/> can find the lines of that file.</param>
    public static OfflineInstallOutcome Install(LocalDevice device, string exportFolder, RuntimeOptions? runtime = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrEmpty(exportFolder);
        if (!device.IsProduction || device.Trust is not { } store)
            throw new DeviceDataException("an offline export is verified against the device's director and image roots; this development device has none (provision with --director-root and --image-root)");
        var name = "offline export " + (source ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(exportFolder))));
        if (!Directory.Exists(exportFolder))
            return Refused(device, name, new MetadataRefusal(ReasonCodes.MetadataMissing, "$", $"no export folder {exportFolder}", null, null, 0));

        StoredTrust trust;
        try
        {
            trust = store.Load();
        }
        catch (TrustStoreDamagedException e)
        {
            return Refused(device, name, new MetadataRefusal(ReasonCodes.RecoveryState, "$", e.Message, null, null, 0));
        }
        var check = new UpdateVerifier(device.Clock).CheckOffline(trust.Metadata, OfflineExportLayout.Sources(exportFolder),
            MetadataContext.Of(device, trust.Nonces.Accepted), trust.OfflineDirectorVersion);
        var next = trust with
        {
            Metadata = check.State,
            OfflineDirectorVersion = Math.Max(trust.OfflineDirectorVersion, check.Update?.OfflineVersion ?? 0),
        };
        store.Save(next);
        if (check.Refusal is { } refusal) return Refused(device, name, refusal);
        if (check.Update is not { } update) return new OfflineInstallOutcome(null, true, []);

        var results = new List<InstallStatus>();
        var staging = Directory.CreateDirectory(Path.Combine(device.Directory.Root, "downloads")).FullName;
        foreach (var install in update.Installs)
        {
            var bundleName = $"{install.Release.Container}@{install.Release.Version} ({name})";
            var staged = Path.Combine(staging, install.Bundle.Sha256 + ".offline");
            try
            {
                try
                {
                    Stage(OfflineExportLayout.BundleFile(exportFolder, install), staged, install);
                }
                catch (MetadataRefusedException e)
                {
                    results.Add(device.Status.RecordInstall(bundleName, install.Release.Container, install.Release.Version, InstallResult.Refused, null,
                        $"{e.Refusal.Code}: {e.Refusal.Detail}"));
                    continue;
                }
                results.Add(BundleFileInstaller.Install(device, staged, bundleName, install, runtime));
            }
            finally
            {
                File.Delete(staged);
            }
        }
        return new OfflineInstallOutcome(null, false, results);
    }

    /// <summary>Step 11 from a file: at most the signed length, the signed sha256, written atomically where the installer reads it.</summary>
    private static void Stage(string source, string staged, VerifiedInstall install)
    {
        if (!File.Exists(source))
            throw new MetadataRefusedException(new MetadataRefusal(ReasonCodes.MetadataMissing, "$", $"the export has no {install.BundlePath}", "targets", install.BundlePath, 11));
        using var input = File.OpenRead(source);
        AtomicFile.Write(staged, output =>
        {
            using var bounded = new LengthBoundedDownload(input, install.BundlePath, install.Bundle);
            bounded.CopyTo(output);
        });
    }

    private static OfflineInstallOutcome Refused(LocalDevice device, string name, MetadataRefusal refusal)
    {
        var status = device.Status.RecordInstall(name, null, null, InstallResult.Refused, null, $"{refusal.Code}: {refusal.Detail}");
        return new OfflineInstallOutcome(refusal, false, [status]);
    }
}
