using AtymSecure.Bootloader.Install;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.ContainerImage;

namespace AtymSecure.DeviceAgent;

/// <summary>
/// The device's update agent for one bundle file: parse the envelope, refuse what this device cannot
/// run, then let the bootloader verify (signature, expiry, class, counter, fit, delta base) and write
/// the inactive slot; the written image must then agree with its signed header (name, version, kind, triple,
/// class) or the trial is rejected before it ever runs. Returns what happened (also recorded in the device status); never throws for a
/// bad bundle — a refused or failed install leaves the running version untouched.
/// </summary>
public static class BundleFileInstaller
{
    /// <summary>Largest bundle file accepted (a slot is at most 64 MiB; headers and deltas are small).</summary>
    public const long MaxBundleBytes = 80L * 1024 * 1024;

    public static InstallStatus Install(LocalDevice device, string bundlePath)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrEmpty(bundlePath);
        var name = Path.GetFileName(bundlePath);
        InstallStatus Record(string? container, string? version, string result, string? slot, string detail) =>
            Remember(device, new InstallStatus(DateTimeOffset.UtcNow, name, container, version, result, slot, detail));

        var info = new FileInfo(bundlePath);
        if (!info.Exists) return Record(null, null, "refused", null, $"no such file: {bundlePath}");
        if (info.Length > MaxBundleBytes) return Record(null, null, "refused", null, $"bundle is {info.Length} bytes, above {MaxBundleBytes}");

        BundleEnvelope envelope;
        try
        {
            using var stream = File.OpenRead(bundlePath);
            envelope = BundleEnvelope.ReadAsync(stream).GetAwaiter().GetResult();
        }
        catch (BundleFormatException e)
        {
            return Record(null, null, "refused", null, $"not a valid bundle: {e.Message}");
        }
        var h = envelope.Header;
        if (h.ImageFormat != ImageFormat.ContainerImageV1)
            return Record(h.ContainerName, h.ContainerVersion, "refused", null,
                $"bundle carries a bare {h.ArtifactKind} artifact (image format {h.ImageFormat}); this device installs container images (cut it with a current `atym bundle`)");

        lock (device.Gate)
        {
            try
            {
                var image = new BundleInstallImage(envelope, () => File.OpenRead(bundlePath), [.. device.TrustedKeys], device.Bootloader);
                var slot = device.Bootloader.Install(image, image);
                if (BindingProblems(device, h, slot) is { Count: > 0 } mismatch)
                {
                    // Signed and hash-correct, yet the header says something else than the image: never run it.
                    device.Bootloader.Reject(h.ContainerName);
                    return Record(h.ContainerName, h.ContainerVersion, "refused", null,
                        "the written image does not match its signed header: " + string.Join("; ", mismatch));
                }
                return Record(h.ContainerName, h.ContainerVersion, "installed", LocalDevice.Lower(slot),
                    $"{h.PayloadKind.ToString().ToLowerInvariant()} bundle ({h.PayloadLength} payload bytes for a {h.TargetSize}-byte image) written as a pending trial");
            }
            catch (InstallRefusedException e)
            {
                return Record(h.ContainerName, h.ContainerVersion, "refused", null, string.Join("; ", e.Problems.Select(p => p.ToString())));
            }
            catch (InstallVerificationException e)
            {
                return Record(h.ContainerName, h.ContainerVersion, "failed", null, e.Message);
            }
        }
    }

    /// <summary>What the slot now holds against the header that delivered it (ContainerImageBundleBinding).</summary>
    private static IReadOnlyList<string> BindingProblems(LocalDevice device, BundleHeader header, Bootloader.Layout.SlotId slot)
    {
        var reader = device.Bootloader.OpenImage(header.ContainerName, slot);
        var bytes = new byte[reader.Length];
        reader.Read(0, bytes);
        try
        {
            return ContainerImageBundleBinding.Check(ContainerImageReader.Read(bytes), bytes, header);
        }
        catch (ContainerImageFormatException e)
        {
            return e.Problems;
        }
    }

    private static InstallStatus Remember(LocalDevice device, InstallStatus install)
    {
        device.UpdateStatus(s => s.WithInstall(install));
        return install;
    }
}
