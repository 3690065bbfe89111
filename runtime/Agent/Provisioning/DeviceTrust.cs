using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;
using AtymSecure.DeviceAgent.Trust;

namespace AtymSecure.DeviceAgent.Provisioning;

/// <summary>
/// The bundle trust of one device folder, as power-on reads it from trusted/ (docs/device-cli.md):
/// <list type="bullet">
/// <item><b>development</b>: trusted/trust.json (<see cref="DeviceTrustFile"/>) names each key's role and pattern;
///   <see cref="Anchors"/> holds them and every install is checked against them (docs/trust-model.md §3 step 13).</item>
/// <item><b>production</b>: provisioned with roots (<see cref="Trust.TrustStore"/>); the device has no bundle keys of
///   its own, each install takes the compiler keys of the verified delegation that listed its image.</item>
/// <item><b>unscoped</b>: a folder provisioned before key scopes (bare trusted/*.pub, no trust.json). Its keys have no
///   role, and reading them as <c>compiler=*</c> would keep exactly the weakness scopes remove (a vendor key signing
///   native code, or another vendor's container). So the device still opens, runs what it has confirmed and answers
///   status, but <see cref="InstallRefusal"/> refuses every install until an operator re-provisions it.</item>
/// <item><b>recovery</b>: trusted/trust.json fails its MAC (trusted/trust.json.mac, HMAC-SHA256 under a key derived from
///   bootloader.key, <see cref="StoreMacKey"/>; docs/trust-model.md §4). A key added or a pattern widened by hand, a file
///   swapped in from another device, or a MAC file missing (removed, or a folder of before the MAC) reads as this. The
///   device opens and answers status, but <see cref="Damage"/> refuses every install with <c>recovery-state</c>.</item>
/// </list>
/// A production device may hold recovery keys (and only those) in trust.json, mode <see cref="DeviceTrustFile.Production"/>.
/// </summary>
public sealed class DeviceTrust
{
    /// <summary>What status says of a folder of before key scopes.</summary>
    public const string Unscoped = "unscoped";

    /// <summary>What status says of a device provisioned with roots.</summary>
    public const string Production = "production";

    /// <summary>What status says of a device whose trust.json fails its MAC (docs/trust-model.md §4: recovery state).</summary>
    public const string Recovery = "recovery";

    /// <summary>The label of trust.json's MAC key (a label of its own: the trust store's MAC never verifies trust.json).</summary>
    internal const string MacLabel = "atym-trust-json-v1";

    private DeviceTrust(string mode, BundleTrustAnchors? anchors, string? damage = null)
    {
        Mode = mode;
        Anchors = anchors;
        Damage = damage;
    }

    /// <summary>Why trust.json is not as init wrote it (null when its MAC verifies): every install is refused with <c>recovery-state</c>.</summary>
    public string? Damage { get; }

    /// <summary><see cref="DeviceTrustFile.Development"/>, <see cref="Production"/> or <see cref="Unscoped"/> (<c>trust:</c> in <c>atym device status</c>).</summary>
    public string Mode { get; }

    /// <summary>The scoped keys (none of its own on a production device); null for an unscoped folder, which installs nothing.</summary>
    public BundleTrustAnchors? Anchors { get; }

    /// <summary>Why this device installs nothing (null when it has scoped keys).</summary>
    public string? InstallRefusal => Damage is not null
        ? $"trusted/trust.json {Damage}; re-provision the device (`atym device init`, docs/trust-model.md §4)"
        : Anchors is null
        ? "this device was provisioned before trusted keys had roles (trusted/*.pub without trusted/trust.json), so no key may sign for it; " +
          "re-provision it with `atym device init --trust ROLE=KEY[:PATTERN]` (docs/trust-model.md §2)"
        : null;

    public static DeviceTrust Development(BundleTrustAnchors anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        return new DeviceTrust(DeviceTrustFile.Development, anchors);
    }

    /// <param name="bootloaderKey">bootloader.key, from which trust.json's MAC key is derived.</param>
    /// <param name="production">The folder holds a trust store with roots: bundle keys come from verified metadata only.</param>
    /// <exception cref="DeviceDataException">No trusted keys, a damaged trust.json or key file, or a key filed under another key's id.</exception>
    public static DeviceTrust Load(DeviceDirectory directory, ReadOnlySpan<byte> bootloaderKey, bool production = false)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var trustFile = directory.TrustFile;
        // A production device without recovery keys has no trust.json: its bundle keys come from verified metadata.
        if (production && !File.Exists(trustFile)) return new DeviceTrust(Production, BundleTrustAnchors.Of());
        if (!File.Exists(trustFile))
        {
            // Before key scopes: the keys are still read, so a damaged one is reported as it always was.
            var legacy = Directory.Exists(directory.TrustedKeysDirectory)
                ? Directory.EnumerateFiles(directory.TrustedKeysDirectory, "*.pub").Order(StringComparer.Ordinal).Select(ReadKey).ToList()
                : [];
            return legacy.Count > 0 ? new DeviceTrust(Unscoped, null) : throw new DeviceDataException($"no trusted bundle keys in {directory.TrustedKeysDirectory}");
        }
        var info = new FileInfo(trustFile);
        if (info.Length > DeviceTrustFile.MaxFileBytes) throw new DeviceDataException($"trust.json is {info.Length} bytes, above {DeviceTrustFile.MaxFileBytes}");
        var bytes = File.ReadAllBytes(trustFile);
        // Checked before the content is believed: a widened pattern or an added key parses fine.
        if (MacDamage(directory, bytes, bootloaderKey) is { } damage) return new DeviceTrust(Recovery, null, damage);
        var file = DeviceTrustFile.Parse(bytes);
        // The mode says which folder it was written for; either way it must match the folder (roots or none).
        if (file.Mode != (production ? DeviceTrustFile.Production : DeviceTrustFile.Development))
            throw new DeviceDataException($"trust.json is for a {file.Mode} device, but this folder {(production ? "has" : "has no")} trust roots");
        var keys = new List<TrustedBundleKey>();
        foreach (var entry in file.Keys)
        {
            var key = ReadKey(Path.Combine(directory.TrustedKeysDirectory, entry.KeyFile));
            // A key filed under another key's id is a swapped file, not the key init was given.
            if (DeviceProvisioner.FileNameOf(key) + ".pub" != entry.KeyFile)
                throw new DeviceDataException($"trusted/{entry.KeyFile} holds key {key.KeyId}, not the key its name says");
            if (!TrustedBundleKey.TryCreate(entry.Role, key, entry.Pattern, entry.KeyFile, out var trusted, out var problems))
                throw new DeviceDataException(new ProblemException("trust.json is invalid", problems).Message);
            keys.Add(trusted);
        }
        return BundleTrustAnchors.TryCreate(keys, out var anchors, out var duplicate)
            ? production ? new DeviceTrust(Production, anchors) : Development(anchors)
            : throw new DeviceDataException(new ProblemException("trust.json is invalid", duplicate).Message);
    }

    /// <summary>trusted/: one PEM file per key, named by its key id, and trust.json with their scopes (init, into a staging folder).</summary>
    /// <param name="mode"><see cref="DeviceTrustFile.Development"/>, or <see cref="DeviceTrustFile.Production"/> for recovery keys next to roots.</param>
    internal static void Write(DeviceDirectory directory, BundleTrustAnchors anchors, ReadOnlySpan<byte> bootloaderKey, string mode)
    {
        Directory.CreateDirectory(directory.TrustedKeysDirectory);
        var entries = new List<DeviceTrustEntry>();
        foreach (var key in anchors.Keys)
        {
            var name = DeviceProvisioner.FileNameOf(key.Key) + ".pub";
            AtomicFile.Write(Path.Combine(directory.TrustedKeysDirectory, name), System.Text.Encoding.ASCII.GetBytes(key.Key.ToPem()));
            entries.Add(new DeviceTrustEntry(BundleKeyRoles.NameOf(key.Role), name, key.Pattern.Text));
        }
        var json = new DeviceTrustFile(mode, [.. entries]).ToJson();
        AtomicFile.Write(directory.TrustFile, json);
        AtomicFile.Write(MacFile(directory), System.Text.Encoding.ASCII.GetBytes(StoreMacKey.Derive(bootloaderKey, MacLabel).MacHex(json) + "\n"),
            new AtomicWriteOptions { OwnerOnly = true });
    }

    internal static string MacFile(DeviceDirectory directory) => directory.TrustFile + ".mac";

    /// <summary>Why <paramref name="json"/> is not what init wrote, or null when its MAC verifies.</summary>
    private static string? MacDamage(DeviceDirectory directory, byte[] json, ReadOnlySpan<byte> bootloaderKey)
    {
        var info = new FileInfo(MacFile(directory));
        if (!info.Exists) return "has no MAC (trust.json.mac is missing: removed, or the device was provisioned before trust.json was MAC'd)";
        if (info.Length > StoreMacKey.HexLength + 2) return $"has an unreadable MAC file ({info.Length} bytes)";
        var text = System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(info.FullName)).TrimEnd('\n');
        byte[] mac;
        try { mac = text.Length == StoreMacKey.HexLength ? Convert.FromHexString(text) : []; }
        catch (FormatException) { mac = []; }
        if (mac.Length == 0) return "has an unreadable MAC file (not 64 hex digits)";
        return StoreMacKey.Derive(bootloaderKey, MacLabel).Verifies(json, mac)
            ? null
            : "fails its MAC (edited by hand: a key added or a scope widened, or a file of another device)";
    }

    private static VerificationKey ReadKey(string file)
    {
        try { return VerificationKey.FromFile(file); }
        catch (FormatException e) { throw new DeviceDataException($"unusable trusted key: {e.Message}", e); }
        catch (FileNotFoundException e) { throw new DeviceDataException($"trust.json names a key file that is missing: {e.Message}", e); }
    }
}
