using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

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
/// </list>
/// </summary>
public sealed class DeviceTrust
{
    /// <summary>What status says of a folder of before key scopes.</summary>
    public const string Unscoped = "unscoped";

    /// <summary>What status says of a device provisioned with roots.</summary>
    public const string Production = "production";

    private DeviceTrust(string mode, BundleTrustAnchors? anchors)
    {
        Mode = mode;
        Anchors = anchors;
    }

    /// <summary><see cref="DeviceTrustFile.Development"/>, <see cref="Production"/> or <see cref="Unscoped"/> (<c>trust:</c> in <c>atym device status</c>).</summary>
    public string Mode { get; }

    /// <summary>The scoped keys (none of its own on a production device); null for an unscoped folder, which installs nothing.</summary>
    public BundleTrustAnchors? Anchors { get; }

    /// <summary>Why this device installs nothing (null when it has scoped keys).</summary>
    public string? InstallRefusal => Anchors is null
        ? "this device was provisioned before trusted keys had roles (trusted/*.pub without trusted/trust.json), so no key may sign for it; " +
          "re-provision it with `atym device init --trust ROLE=KEY[:PATTERN]` (docs/trust-model.md §2)"
        : null;

    public static DeviceTrust Development(BundleTrustAnchors anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        return new DeviceTrust(DeviceTrustFile.Development, anchors);
    }

    /// <param name="production">The folder holds a trust store with roots: bundle keys come from verified metadata only.</param>
    /// <exception cref="DeviceDataException">No trusted keys, a damaged trust.json or key file, or a key filed under another key's id.</exception>
    public static DeviceTrust Load(DeviceDirectory directory, bool production = false)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var trustFile = directory.TrustFile;
        if (production)
        {
            // Init refuses --trust next to roots, so a production folder has no bundle keys of its own (recovery keys next
            // to roots are planned, docs/trust-model.md §2); a trust.json there would be a second source of bundle trust.
            if (File.Exists(trustFile)) throw new DeviceDataException("a production device (provisioned with roots) has no trusted/trust.json; its bundle keys come from verified metadata");
            return new DeviceTrust(Production, BundleTrustAnchors.Of());
        }
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
        var file = DeviceTrustFile.Parse(File.ReadAllBytes(trustFile));
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
            ? Development(anchors)
            : throw new DeviceDataException(new ProblemException("trust.json is invalid", duplicate).Message);
    }

    /// <summary>trusted/: one PEM file per key, named by its key id, and trust.json with their scopes (init, into a staging folder).</summary>
    internal static void Write(DeviceDirectory directory, BundleTrustAnchors anchors)
    {
        Directory.CreateDirectory(directory.TrustedKeysDirectory);
        var entries = new List<DeviceTrustEntry>();
        foreach (var key in anchors.Keys)
        {
            var name = DeviceProvisioner.FileNameOf(key.Key) + ".pub";
            AtomicFile.Write(Path.Combine(directory.TrustedKeysDirectory, name), System.Text.Encoding.ASCII.GetBytes(key.Key.ToPem()));
            entries.Add(new DeviceTrustEntry(BundleKeyRoles.NameOf(key.Role), name, key.Pattern.Text));
        }
        AtomicFile.Write(directory.TrustFile, new DeviceTrustFile(DeviceTrustFile.Development, [.. entries]).ToJson());
    }

    private static VerificationKey ReadKey(string file)
    {
        try { return VerificationKey.FromFile(file); }
        catch (FormatException e) { throw new DeviceDataException($"unusable trusted key: {e.Message}", e); }
        catch (FileNotFoundException e) { throw new DeviceDataException($"trust.json names a key file that is missing: {e.Message}", e); }
    }
}
