using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Formats;
using AtymSecure.Runtime;
using AtymSecure.Runtime.Budgets;
using AtymSecure.Runtime.Execution;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>
/// The device's installer for one bundle file: parse the envelope, refuse what this device cannot run, then let
/// the bootloader verify (signature, expiry, class, counter, fit, delta base) and write the inactive slot; the
/// written image must then agree with its signed header (name, version, kind, triple, class) or the trial is
/// rejected before it ever runs. Returns what happened (also recorded in the device status); never throws for
/// a bad bundle — a refused or failed install leaves the running version untouched.
/// </summary>
public static class BundleFileInstaller
{
    /// <summary>Largest bundle file accepted (a slot is at most 64 MiB; headers and deltas are small).</summary>
    public const long MaxBundleBytes = 80L * 1024 * 1024;

    /// <summary>
    /// <c>atym device install</c>: powers on the device at <paramref name="root"/> and installs now, or — when
    /// another process runs it — queues the bundle in its inbox, where the running device picks it up.
    /// </summary>
    /// <param name="installing">Called once the device is powered on, right before the install (progress: a slow flash takes seconds).</param>
    /// <exception cref="DeviceDataException">Not a device, or a damaged device file.</exception>
    public static InstallAttempt InstallOrQueue(string root, string bundlePath, LocalDeviceOptions? options = null, Action? installing = null)
    {
        LocalDevice device;
        try
        {
            device = LocalDevice.Open(root, options);
        }
        catch (DeviceBusyException busy)
        {
            var queued = new DeviceInbox(new DeviceDirectory(root), options?.Clock).Enqueue(bundlePath);
            return new InstallAttempt.Queued(queued, busy.HolderPid);
        }
        using (device)
        {
            installing?.Invoke();
            return new InstallAttempt.Completed(Install(device, bundlePath));
        }
    }

    /// <param name="name">How the status names the bundle (default: its file name).</param>
    /// <param name="metadata">
    /// The verified metadata that names this bundle (an HTTP or offline source). Its release and image must equal the
    /// bundle header before the bootloader writes (step 12, <see cref="BundleBinding"/>), and the bundle must be signed
    /// by a key of the delegation that listed the image (step 13). A production device refuses a bundle without it
    /// (<c>metadata-missing</c>).
    /// </param>
    /// <param name="runtime">
    /// The runtime options the device runs its containers with (default: <see cref="RuntimeOptions"/>' defaults, as
    /// <c>atym device run</c> uses): the memory check budgets each container's overhead for the isolation mode they resolve to.
    /// </param>
    public static InstallStatus Install(LocalDevice device, string bundlePath, string? name = null, VerifiedInstall? metadata = null,
        RuntimeOptions? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrEmpty(bundlePath);
        name ??= Path.GetFileName(bundlePath);
        InstallStatus Refused(string? container, string? version, string detail) =>
            device.Status.RecordInstall(name, container, version, InstallResult.Refused, null, detail);

        var info = new FileInfo(bundlePath);
        if (!info.Exists) return Refused(null, null, $"no such file: {bundlePath}");
        if (info.Length > MaxBundleBytes) return Refused(null, null, $"bundle is {info.Length} bytes, above {MaxBundleBytes}");

        BundleEnvelope envelope;
        try
        {
            using var stream = File.OpenRead(bundlePath);
            envelope = BundleEnvelope.Read(stream);
        }
        catch (BundleFormatException e)
        {
            return Refused(null, null, $"not a valid bundle: {e.Message}");
        }
        var h = envelope.Header;
        // §4: trust.json that fails its MAC is recovery state, whatever else the bundle carries.
        if (device.BundleTrust.Damage is not null)
            return Refused(h.ContainerName, h.ContainerVersion, $"{ReasonCodes.RecoveryState}: {device.BundleTrust.InstallRefusal}");
        if (metadata is null && device.IsProduction)
            return Refused(h.ContainerName, h.ContainerVersion,
                $"{ReasonCodes.MetadataMissing}: a production device installs only what verified update metadata names (a server or `--metadata DIR`), not a bare bundle");
        if (metadata is not null && BundleBinding.Check(metadata, h) is { Count: > 0 } unbound)
            return Refused(h.ContainerName, h.ContainerVersion, string.Join("; ", unbound.Select(p => $"{p.Code}: {p.Path}: {p.Message}")));
        if (h.ImageFormat != ImageFormat.ContainerImageV1)
            return Refused(h.ContainerName, h.ContainerVersion,
                $"bundle carries a bare {h.ArtifactKind} artifact (image format {h.ImageFormat}); this device installs container images (cut it with a current `atym bundle`)");

        // Step 13: with metadata, the keys of the delegation that listed the image sign for it. Only the compiler-<class>
        // delegations own image paths (step 8; vendors list sources), so they are compiler keys for every container.
        // Without metadata (development), the device's own scoped keys.
        BundleTrustAnchors trusted;
        if (metadata is not null)
        {
            if (!BundleTrustAnchors.TryCreate(metadata.ImageRole.VerificationKeys.Select(k => TrustedBundleKey.Compiler(k)), out var fromDelegation, out var problems))
                return Refused(h.ContainerName, h.ContainerVersion, string.Join("; ", problems.Select(p => $"{ReasonCodes.UntrustedSigner}: {p.Message}")));
            if (VendorSignedOnly(envelope, metadata, fromDelegation) is { } vendorOnly)
                return Refused(h.ContainerName, h.ContainerVersion, $"{vendorOnly.Code}: {vendorOnly.Message}");
            trusted = fromDelegation;
        }
        else if (device.BundleTrust.Anchors is { } own) trusted = own;
        else return Refused(h.ContainerName, h.ContainerVersion, $"{ReasonCodes.UntrustedSigner}: {device.BundleTrust.InstallRefusal}");

        lock (device.Gate)
        {
            try
            {
                var image = new BundleInstallImage(envelope, () => File.OpenRead(bundlePath), trusted);
                var slot = device.Bootloader.Install(image, image);
                if (WrittenImageRefusal(device, h, slot, runtime ?? new RuntimeOptions()) is { } refusal)
                {
                    // Signed and hash-correct, yet not to be run here (it disagrees with its header, needs a newer runtime,
                    // or does not fit the RAM budget): reject the trial before it ever starts.
                    device.Bootloader.Reject(h.ContainerName);
                    return Refused(h.ContainerName, h.ContainerVersion, refusal);
                }
                return device.Status.RecordInstall(name, h.ContainerName, h.ContainerVersion, InstallResult.Installed, slot,
                    $"{StatusNames.Of(h.PayloadKind)} bundle ({h.PayloadLength} payload bytes for a {h.TargetSize}-byte image) written as a pending trial");
            }
            catch (InstallRefusedException e)
            {
                return Refused(h.ContainerName, h.ContainerVersion, string.Join("; ", e.Problems.Select(p => $"{p.Code}: {p.Message}")));
            }
            catch (InstallVerificationException e)
            {
                return device.Status.RecordInstall(name, h.ContainerName, h.ContainerVersion, InstallResult.Failed, null, e.Message);
            }
        }
    }

    /// <summary>
    /// Step 13 on a production device, when no compiler key of the listing delegation signed the bundle but a key of
    /// the vendor delegation that listed its source did (docs/trust-model.md §3: vendor keys come from the verified
    /// delegations too): native code is <c>native-not-from-compiler</c> — what a malicious vendor's hand-made
    /// <c>.cwasm</c> is told — and Wasm <c>signer-out-of-scope</c>, since the server cuts every production bundle.
    /// Null when a compiler key signed it, or when no vendor key did either (the bootloader then says <c>untrusted-signer</c>).
    /// </summary>
    private static Primitives.Problem? VendorSignedOnly(BundleEnvelope envelope, VerifiedInstall metadata, BundleTrustAnchors compilers)
    {
        if (BundleSignerCheck.Check(envelope, compilers).Signer is not null) return null;
        var pattern = ContainerNamePattern.Parse(metadata.Release.Container);
        if (!BundleTrustAnchors.TryCreate([.. compilers.Keys, .. metadata.SourceRole.VerificationKeys.Select(k => TrustedBundleKey.Vendor(k, pattern))], out var withVendor, out _))
            return null;
        var (signer, problem) = BundleSignerCheck.Check(envelope, withVendor);
        if (problem?.Code == ReasonCodes.NativeNotFromCompiler) return problem;
        return signer?.Role == BundleKeyRole.Vendor
            ? new Primitives.Problem(ReasonCodes.SignerOutOfScope, "signatures",
                $"'{envelope.Header.ContainerName}' is signed only by {signer}; a production device installs only bundles its server's compiler signed (the delegation that listed the image)")
            : null;
    }

    /// <summary>The container a bundle file is for, from its envelope; null when it is not a readable bundle (the installer then refuses it).</summary>
    internal static string? ContainerOf(string bundlePath)
    {
        try
        {
            using var stream = File.OpenRead(bundlePath);
            return BundleEnvelope.Read(stream).Header.ContainerName;
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Why the image just written to <paramref name="slot"/> must not run, or null: the slot is read and parsed once, its
    /// bytes must bind to the header that delivered them (<see cref="ContainerImageBundleBinding"/>; nothing else is
    /// checked when they do not), then every device fit that needs its config is listed (runtime version, RAM budget).
    /// </summary>
    private static string? WrittenImageRefusal(LocalDevice device, BundleHeader header, SlotId slot, RuntimeOptions runtime)
    {
        var bytes = SlotBytes(device, header.ContainerName, slot);
        ContainerImage written;
        try
        {
            written = ContainerImageReader.Read(bytes);
        }
        catch (ContainerImageFormatException e)
        {
            return Mismatch(e.Problems);
        }
        if (ContainerImageBundleBinding.Check(written, bytes, header) is { Count: > 0 } mismatch) return Mismatch(mismatch);
        Primitives.Problem[] unfit = [.. new[] { RuntimeProblem(written.Config, header), MemoryProblem(device, written.Config, header, runtime) }.OfType<Primitives.Problem>()];
        return unfit.Length == 0 ? null : string.Join("; ", unfit.Select(p => $"{p.Code}: {p.Message}"));

        static string Mismatch(IReadOnlyList<Primitives.Problem> problems) => "the written image does not match its signed header: " + string.Join("; ", problems);
    }

    /// <summary>The refusal when the image needs a newer runtime than <see cref="RuntimeVersion.Current"/>.</summary>
    private static Primitives.Problem? RuntimeProblem(Formats.Container.ContainerConfig config, BundleHeader header) =>
        RuntimeVersion.Satisfies(config.MinRuntimeVersion, RuntimeVersion.Current) ? null
            : new Primitives.Problem(ReasonCodes.RuntimeTooOld, "$.minRuntimeVersion",
                $"'{header.ContainerName}' {header.ContainerVersion} needs runtime {config.MinRuntimeVersion} or newer; this device runs {RuntimeVersion.Current}");

    /// <summary>
    /// The refusal when the new image's <c>maxMemoryBytes</c> plus its per-container overhead, beside the confirmed
    /// version of every other container (each with its overhead), exceeds the profile's container RAM budget. The
    /// overhead is that of the isolation mode the runtime will use on this device class
    /// (<see cref="RuntimeOptions.ResolveIsolation"/>, the same call the runtime makes), so a process-mode device counts
    /// each container's host process, exactly as the run-time <see cref="DeviceMemoryAccountant"/> does.
    /// </summary>
    private static Primitives.Problem? MemoryProblem(LocalDevice device, Formats.Container.ContainerConfig config, BundleHeader header, RuntimeOptions runtime)
    {
        var budget = device.Profile.ContainerMemoryBudgetBytes;
        var isolation = runtime.ResolveIsolation(Engines.EngineProfile.For(device.Profile.DeviceClass));
        var overhead = ContainerMemoryOverhead.For(isolation);
        var wanted = config.Resources.MaxMemoryBytes;
        var others = 0L;
        foreach (var other in device.ContainerNames.Where(n => n != header.ContainerName))
        {
            var confirmed = device.Bootloader.State(other).ConfirmedSlot;
            if (confirmed == SlotId.None) continue;
            others += ContainerImageReader.Read(SlotBytes(device, other, confirmed)).Config.Resources.MaxMemoryBytes + overhead;
        }
        var needs = wanted + overhead;
        return others + needs <= budget ? null
            : new Primitives.Problem(ReasonCodes.MemoryBudgetExceeded, "$.resources.maxMemoryBytes",
                $"'{header.ContainerName}' {header.ContainerVersion} needs {wanted} bytes of memory plus {overhead} overhead ({(isolation == ContainerIsolation.Process ? "process mode" : "in-process")}); " +
                $"this device's container budget is {budget} bytes, of which the confirmed containers take {others}");
    }

    private static byte[] SlotBytes(LocalDevice device, string container, SlotId slot)
    {
        var reader = device.Bootloader.OpenImage(container, slot);
        var bytes = new byte[reader.Length];
        reader.Read(0, bytes);
        return bytes;
    }
}
