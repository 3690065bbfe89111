using System.Security.Cryptography;
using AtymSecure.Bootloader;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Primitives;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Bootloader.FilePort;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Trust;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.DeviceAgent.Provisioning;

/// <summary>What <c>atym device init</c> is asked for.</summary>
/// <param name="Profile">A <see cref="DeviceProfile"/> name.</param>
/// <param name="Containers">Containers the partition table gets A/B slots for (slot size 0 = the profile's default).</param>
/// <param name="Trust">The bundle keys the device trusts, each with its role and pattern (<c>--trust ROLE=KEY[:PATTERN]</c>); at least one vendor or compiler key.</param>
/// <param name="Flash">Flash part family (stm32u5, nrf52, spinor, stm32f4-mixed); null = the profile's.</param>
/// <param name="Roots">Production mode: the director and image repository root files (docs/trust-model.md §2); null = development.</param>
public sealed record DeviceInitRequest(string Profile, IReadOnlyList<ContainerSlotPlan> Containers, IReadOnlyList<TrustedKeySpec> Trust, string? Flash = null,
    TrustRootFiles? Roots = null);

/// <summary>The two root files a production device is provisioned with (any version each; the device walks forward from them).</summary>
public sealed record TrustRootFiles(string DirectorRootFile, string ImageRootFile);

/// <summary>
/// Factory provisioning of a simulated device: identity key pair, bootloader MAC key, scoped trusted bundle keys
/// (trusted/*.pub and trusted/trust.json, <see cref="DeviceTrust"/>),
/// and a flash part with its partition table. Everything is built in a sibling staging folder and renamed
/// into place at the end, so an interrupted init leaves no half-made device.
/// </summary>
public static class DeviceProvisioner
{
    /// <param name="flashPart">
    /// Makes the flash part for the planned geometry when it should not be the folder's flash.img (a fleet simulation's
    /// in-memory part, later passed as <see cref="LocalDeviceOptions.Flash"/>); null = flash.img.
    /// </param>
    /// <exception cref="DeviceDataException">The folder is already a device or not empty, or a key file is unusable.</exception>
    /// <exception cref="ArgumentException">Unknown profile or flash.</exception>
    /// <exception cref="ProblemException">Invalid container plan (every problem listed, codes from <see cref="DeviceIdentityProblemCodes"/>).</exception>
    public static DeviceIdentity Init(DeviceDirectory directory, DeviceInitRequest request, TimeProvider? clock = null, Func<FlashGeometry, IFlash>? flashPart = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(request);
        if (Directory.Exists(directory.Root) && Directory.EnumerateFileSystemEntries(directory.Root).Any())
            throw new DeviceDataException($"{directory.Root} already exists and is not empty; a device is initialised into a new folder");
        var profile = DeviceProfile.Find(request.Profile);
        var flashProfile = request.Flash is null ? profile.Flash : FlashProfile.Find(request.Flash);
        var roots = request.Roots is { } files ? LoadRoots(files, clock ?? TimeProvider.System) : null;
        if (roots is not null && request.Trust.FirstOrDefault(t => !BundleKeyRoles.TryParse(t.Role, out var role) || role != BundleKeyRole.Recovery) is { } bundleKey)
            throw new DeviceDataException(
                $"a production device (--director-root/--image-root) takes its bundle keys from verified metadata only; next to roots --trust accepts recovery keys alone (docs/trust-model.md §2), not {bundleKey}");
        var trusted = roots is null ? LoadTrust(request.Trust) : request.Trust.Count > 0 ? LoadTrust(request.Trust, production: true) : null;
        var containers = request.Containers.Select(c => c with { SlotBytes = c.SlotBytes == 0 ? profile.DefaultSlotBytes : c.SlotBytes }).ToArray();

        using var identityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = identityKey.ExportSubjectPublicKeyInfo();
        var identity = new DeviceIdentity("atym-" + Convert.ToHexStringLower(SHA256.HashData(spki))[..16], profile.Name, profile.DeviceClass.Name,
            flashProfile.Name, containers, (clock ?? TimeProvider.System).GetUtcNow());
        var problems = identity.Validate();
        if (problems.Count > 0) throw new ProblemException("invalid device plan", problems);

        var parent = Path.GetDirectoryName(directory.Root) ?? throw new DeviceDataException($"{directory.Root} has no parent folder");
        Directory.CreateDirectory(parent);
        var staging = new DeviceDirectory(Path.Combine(parent, $".{Path.GetFileName(directory.Root)}.init-{Environment.ProcessId}"));
        if (Directory.Exists(staging.Root)) Directory.Delete(staging.Root, recursive: true);
        Directory.CreateDirectory(staging.Root);
        try
        {
            WriteSecret(staging.IdentityKeyFile, System.Text.Encoding.ASCII.GetBytes(identityKey.ExportPkcs8PrivateKeyPem()));
            AtomicFile.Write(staging.IdentityPublicKeyFile, System.Text.Encoding.ASCII.GetBytes(identityKey.ExportSubjectPublicKeyInfoPem()));
            WriteSecret(staging.BootKeyFile, RandomNumberGenerator.GetBytes(DeviceKey.Size));
            // A production device has no bundle keys of its own (they come from verified delegations), at most recovery keys.
            if (trusted is not null) DeviceTrust.Write(staging, trusted, File.ReadAllBytes(staging.BootKeyFile), roots is null ? DeviceTrustFile.Development : DeviceTrustFile.Production);
            else Directory.CreateDirectory(staging.TrustedKeysDirectory);
            Directory.CreateDirectory(staging.InboxDirectory);
            Directory.CreateDirectory(staging.KeyValueDirectory);
            ProvisionFlash(staging, identity, flashProfile, profile.CounterCapacity, flashPart);
            if (roots is not null) TrustStore.Create(staging, File.ReadAllBytes(staging.BootKeyFile), roots);
            AtomicFile.Write(staging.IdentityFile, identity.ToJson());
            new DeviceStatus
            {
                DeviceId = identity.DeviceId, Profile = identity.Profile, DeviceClass = identity.DeviceClass,
                RuntimeVersion = AtymSecure.Runtime.RuntimeVersion.Current.ToString(), Trust = roots is null ? DeviceTrustFile.Development : DeviceTrust.Production,
            }.Save(staging);

            if (Directory.Exists(directory.Root)) Directory.Delete(directory.Root);
            Directory.Move(staging.Root, directory.Root);
        }
        catch
        {
            try { Directory.Delete(staging.Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        return identity;
    }

    /// <summary>
    /// The partition table a device plan needs on its flash profile: always v2, with a write-once counter region of
    /// <paramref name="counterCapacity"/> bumps per container (devices made before issue 11 §2 keep their v1 table).
    /// </summary>
    public static PartitionTable PlanLayout(DeviceIdentity identity, FlashProfile flash, out FlashGeometry geometry,
        int counterCapacity = SecurityCounterStore.DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(flash);
        var requests = identity.Containers.Select(c => new ContainerSlotRequest(c.Name, c.SlotBytes)).ToArray();
        geometry = flash.CreateGeometry(LayoutPlanner.RequiredFlashSize(flash, requests, counterCapacity: counterCapacity));
        return LayoutPlanner.Plan(geometry, requests, counterCapacity: counterCapacity);
    }

    private static void ProvisionFlash(DeviceDirectory staging, DeviceIdentity identity, FlashProfile flashProfile, int counterCapacity,
        Func<FlashGeometry, IFlash>? flashPart)
    {
        var bootKey = File.ReadAllBytes(staging.BootKeyFile);
        if (flashPart is not null)
        {
            FormatFlash(identity, flashProfile, counterCapacity, bootKey, flashPart);
            return;
        }
        using var file = (FileBackedFlash)FormatFlash(identity, flashProfile, counterCapacity, bootKey, g => FileBackedFlash.Create(staging.FlashFile, g));
        file.Sync();
    }

    /// <summary>
    /// A blank part for <paramref name="identity"/>'s plan with its partition table written and the state log formatted (the
    /// first power-on), so a fault here fails provisioning rather than the first run. A fleet simulation whose in-memory flash
    /// did not outlive its process gives a device folder a new blank part this way (as a factory re-flash would).
    /// </summary>
    public static IFlash FormatFlash(DeviceIdentity identity, byte[] bootKey, Func<FlashGeometry, IFlash> part)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var profile = DeviceProfile.Find(identity.Profile);
        return FormatFlash(identity, FlashProfile.Find(identity.Flash), profile.CounterCapacity, bootKey, part);
    }

    private static IFlash FormatFlash(DeviceIdentity identity, FlashProfile flashProfile, int counterCapacity, byte[] bootKey, Func<FlashGeometry, IFlash> part)
    {
        var table = PlanLayout(identity, flashProfile, out var geometry, counterCapacity);
        var flash = part(geometry);
        DeviceBootloader.Provision(flash, table);
        DeviceBootloader.Open(flash, DeviceKey.FromBytes(bootKey), new BootloaderOptions { DeviceClass = identity.DeviceClass });
        return flash;
    }

    /// <summary>Every key read and scoped, all problems at once; a development device needs a vendor or compiler key.</summary>
    private static BundleTrustAnchors LoadTrust(IReadOnlyList<TrustedKeySpec> specs, bool production = false)
    {
        if (specs.Count == 0)
            throw new DeviceDataException($"a device needs at least one trusted bundle-signing key (--trust {BundleKeyRoles.Forms}); without one it could install nothing");
        var keys = new List<TrustedBundleKey>();
        var unusable = new List<string>();
        var problems = new List<Problem>();
        foreach (var spec in specs)
        {
            try { keys.Add(spec.Load()); }
            catch (DeviceDataException e) { unusable.Add(e.Message); }
            catch (ProblemException e) { problems.AddRange(e.Problems); }
        }
        if (unusable.Count > 0) throw new DeviceDataException(string.Join("; ", unusable));
        if (!BundleTrustAnchors.TryCreate(keys, out var anchors, out var duplicates)) problems.AddRange(duplicates);
        if (problems.Count > 0) throw new ProblemException("trusted keys", problems);
        if (!production && !anchors!.HasBundleKey)
            throw new ProblemException("trusted keys", new Problem(TrustAnchorProblemCodes.NoBundleKey, "--trust",
                "a development device needs at least one vendor or compiler key (recovery keys sign recovery bundles only), e.g. --trust compiler=dev.pub"));
        return anchors!;
    }

    /// <summary>
    /// Both roots, each carrying a threshold of its own root keys and its repository's roles (expiry does not matter
    /// yet). The time floor starts at the provisioning time: metadata that expired before the factory cannot revive.
    /// </summary>
    private static TrustedState LoadRoots(TrustRootFiles files, TimeProvider clock)
    {
        byte[] Read(string file, string option)
        {
            var info = new FileInfo(file);
            if (!info.Exists) throw new DeviceDataException($"{option} {file}: no such file");
            if (info.Length > UpdateMetadataLimits.DefaultMaxRootBytes) throw new DeviceDataException($"{option} {file}: {info.Length} bytes, above {UpdateMetadataLimits.DefaultMaxRootBytes}");
            return File.ReadAllBytes(file);
        }
        var director = Read(files.DirectorRootFile, "--director-root");
        var image = Read(files.ImageRootFile, "--image-root");
        try
        {
            return TrustedState.Provision(image, director, clock.GetUtcNow());
        }
        catch (MetadataRefusedException e)
        {
            throw new DeviceDataException($"unusable root: {e.Refusal}", e);
        }
    }

    /// <summary>Key ids are base64; file names get the URL-safe alphabet.</summary>
    internal static string FileNameOf(VerificationKey key) => key.KeyId.Replace('/', '_').Replace('+', '-').TrimEnd('=');

    /// <summary>Owner read/write only from the first byte (never a chmod after the write).</summary>
    private static void WriteSecret(string path, byte[] content) => AtomicFile.Write(path, content, new AtomicWriteOptions { OwnerOnly = true });
}
