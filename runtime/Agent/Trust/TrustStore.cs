using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Trust;

/// <summary>
/// The device's trust and metadata store (docs/trust-model.md §3 step 0, §4, §9), power-safe by construction:
/// <list type="bullet">
/// <item>Every metadata file is written once under its SHA-256 (<c>trust/metadata/HEX.json</c>, <see cref="AtomicFile"/>);
/// a file that exists is never rewritten, so writing the files of a new state cannot disturb the current one.</item>
/// <item>One small commit record, <c>trust/state</c> (<see cref="TrustManifest"/>: which file holds each role, versions,
/// time floor, nonces), is replaced atomically last. A power cut before that rename leaves the old state, after it
/// the new one: never a mix, so no floor can move back.</item>
/// <item>The commit record is MAC'd (HMAC-SHA256, key derived from the bootloader key with a label of its own) and
/// names every file by digest, so one MAC covers the whole store. A missing file, a failed MAC or digest, a file over
/// its cap or one that does not parse is <see cref="TrustStoreDamagedException"/> — <c>recovery-state</c>, never a
/// fresh start.</item>
/// <item><see cref="Save"/> refuses a state that would lower a root version, the time floor, or a timestamp, snapshot or
/// director version under the same root (the verifier never produces one; this guards the agent's own code).</item>
/// </list>
/// Files no state names (left by an earlier commit or a cut) are deleted after each commit.
/// A device whose folder has no <c>trust/</c> is a development device (no roots, §2).
/// </summary>
public sealed class TrustStore
{
    private const string MacLabel = "atym-trust-store-v1";

    private readonly DeviceDirectory _directory;
    private readonly StoreMacKey _macKey;
    private TrustManifest? _current;

    private TrustStore(DeviceDirectory directory, ReadOnlySpan<byte> bootloaderKey)
    {
        _directory = directory;
        _macKey = StoreMacKey.Derive(bootloaderKey, MacLabel);
    }

    /// <summary>Test hook: called with the name of each step of <see cref="Save"/> (a throw there is a power cut).</summary>
    internal Action<string>? BeforeStep { get; set; }

    public static bool IsProvisioned(DeviceDirectory directory) => Directory.Exists(TrustDirectory(directory));

    /// <summary>The store of a production device, or null for a development device.</summary>
    public static TrustStore? Open(DeviceDirectory directory, ReadOnlySpan<byte> bootloaderKey) =>
        IsProvisioned(directory) ? new TrustStore(directory, bootloaderKey) : null;

    /// <summary>First trust (<c>atym device init --director-root --image-root</c>): writes the provisioned state.</summary>
    public static TrustStore Create(DeviceDirectory directory, ReadOnlySpan<byte> bootloaderKey, TrustedState provisioned)
    {
        if (IsProvisioned(directory)) throw new InvalidOperationException($"{TrustDirectory(directory)} already exists");
        Directory.CreateDirectory(MetadataDirectory(directory));
        var store = new TrustStore(directory, bootloaderKey);
        store.Save(StoredTrust.Provisioned(provisioned));
        return store;
    }

    public static string TrustDirectory(DeviceDirectory directory) => Path.Combine(directory.Root, "trust");

    private static string MetadataDirectory(DeviceDirectory directory) => Path.Combine(TrustDirectory(directory), "metadata");

    private string StateFile => Path.Combine(TrustDirectory(_directory), "state");

    private string FileOf(string sha256) => Path.Combine(MetadataDirectory(_directory), sha256 + ".json");

    /// <summary>Reads the stored state back (step 0).</summary>
    /// <exception cref="TrustStoreDamagedException">The store is not as this device wrote it: the device is in recovery.</exception>
    public StoredTrust Load()
    {
        var manifest = ReadManifest();
        byte[] Read(StoredFileRef? file, long cap, string role) => file is null ? [] : ReadFile(file, cap, role);
        var limits = UpdateMetadataLimits.Default;
        TrustedState state;
        try
        {
            state = TrustedState.Restore(
                Read(manifest.ImageRoot, limits.MaxRootBytes, "imageRoot"),
                Read(manifest.ImageTimestamp, limits.MaxTimestampBytes, "imageTimestamp"),
                Read(manifest.ImageSnapshot, limits.MaxSnapshotBytes, "imageSnapshot"),
                Read(manifest.DirectorRoot, limits.MaxRootBytes, "directorRoot"),
                Read(manifest.DirectorTargets, limits.MaxDirectorTargetsBytes, "directorTargets"),
                manifest.TimeFloor, manifest.ImageRootRefreshedAt);
        }
        catch (MetadataRefusedException e)
        {
            throw new TrustStoreDamagedException("trust/metadata", $"a stored file does not parse: {e.Refusal}", e);
        }
        if (ManifestOf(new StoredTrust(state, manifest.Nonces, manifest.OfflineDirectorVersion)) != manifest)
            throw new TrustStoreDamagedException("trust/state", "the stored files disagree with the versions the state records");
        _current = manifest;
        return new StoredTrust(state, manifest.Nonces, manifest.OfflineDirectorVersion);
    }

    /// <summary>Persists <paramref name="next"/>: files first, then the commit record, then the clean-up.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="next"/> would lower a version or the time floor.</exception>
    public void Save(StoredTrust next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var manifest = ManifestOf(next);
        if (_current is { } current) RequireForward(current, manifest);
        BeforeStep?.Invoke("files");
        var files = Files(next.Metadata).ToList();
        foreach (var (sha, bytes) in files)
            if (!File.Exists(FileOf(sha))) AtomicFile.Write(FileOf(sha), bytes, new AtomicWriteOptions { OwnerOnly = true });
        BeforeStep?.Invoke("state");
        var body = manifest.ToJson();
        AtomicFile.Write(StateFile, [.. body, (byte)'\n', .. Encoding.ASCII.GetBytes(_macKey.MacHex(body))],
            new AtomicWriteOptions { OwnerOnly = true });
        _current = manifest;
        BeforeStep?.Invoke("clean");
        var named = files.Select(f => f.Sha256 + ".json").ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(MetadataDirectory(_directory)))
            if (!named.Contains(Path.GetFileName(file))) File.Delete(file);
    }

    private TrustManifest ReadManifest()
    {
        var info = new FileInfo(StateFile);
        if (!info.Exists) throw new TrustStoreDamagedException("trust/state", "missing: a production device never loses its trust state");
        var macText = 64 + 1;
        if (info.Length > TrustManifest.MaxBytes + macText) throw new TrustStoreDamagedException("trust/state", $"{info.Length} bytes, above {TrustManifest.MaxBytes + macText}");
        var bytes = File.ReadAllBytes(StateFile);
        var split = Array.LastIndexOf(bytes, (byte)'\n');
        if (split < 0 || bytes.Length - split - 1 != 64) throw new TrustStoreDamagedException("trust/state", "no MAC line");
        var body = bytes.AsSpan(0, split);
        byte[] mac;
        try
        {
            mac = Convert.FromHexString(bytes.AsSpan(split + 1));
        }
        catch (FormatException e)
        {
            throw new TrustStoreDamagedException("trust/state", "the MAC line is not hex", e);
        }
        if (!_macKey.Verifies(body, mac))
            throw new TrustStoreDamagedException("trust/state", "fails its MAC (tampered, or written with another device's key)");
        return TrustManifest.Parse(body);
    }

    private byte[] ReadFile(StoredFileRef file, long cap, string role)
    {
        var path = FileOf(file.Sha256);
        var info = new FileInfo(path);
        if (!info.Exists) throw new TrustStoreDamagedException($"trust/metadata/{file.Sha256}.json", $"the stored {role} is missing");
        if (info.Length > cap) throw new TrustStoreDamagedException($"trust/metadata/{file.Sha256}.json", $"the stored {role} is {info.Length} bytes, above {cap}");
        var bytes = File.ReadAllBytes(path);
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != file.Sha256)
            throw new TrustStoreDamagedException($"trust/metadata/{file.Sha256}.json", $"the stored {role} does not match its digest");
        return bytes;
    }

    private static IEnumerable<(string Sha256, byte[] Bytes)> Files(TrustedState state)
    {
        foreach (var bytes in new[] { state.DirectorRoot.ToBytes(), state.DirectorTargets?.ToBytes(), state.ImageRoot.ToBytes(), state.ImageTimestamp?.ToBytes(), state.ImageSnapshot?.ToBytes() })
            if (bytes is not null) yield return (Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes);
    }

    internal static TrustManifest ManifestOf(StoredTrust trust)
    {
        var s = trust.Metadata;
        return new TrustManifest(Ref(s.DirectorRoot)!, Ref(s.DirectorTargets), Ref(s.ImageRoot)!, Ref(s.ImageTimestamp), Ref(s.ImageSnapshot),
            s.TimeFloor, s.ImageRootRefreshedAt, trust.Nonces, trust.OfflineDirectorVersion);
    }

    private static StoredFileRef? Ref<T>(SignedMetadata<T>? file)
        where T : RoleMetadata, IRoleMetadata<T> =>
        file is null ? null : new StoredFileRef(Convert.ToHexStringLower(SHA256.HashData(file.ToBytes())), file.Signed.Version);

    private static void RequireForward(TrustManifest before, TrustManifest after)
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new InvalidOperationException($"refusing to store a trust state that moves {what} back");
        }
        Require(after.DirectorRoot.Version >= before.DirectorRoot.Version, "the director root");
        Require(after.ImageRoot.Version >= before.ImageRoot.Version, "the image root");
        Require(after.TimeFloor >= before.TimeFloor, "the time floor");
        Require(after.OfflineDirectorVersion >= before.OfflineDirectorVersion, "the offline director version");
        // Under the same root a file may only move forward; a rotated root may drop it (fast-forward recovery, step 4).
        if (after.ImageRoot == before.ImageRoot)
        {
            Require(NotBehind(before.ImageTimestamp, after.ImageTimestamp), "the timestamp");
            Require(NotBehind(before.ImageSnapshot, after.ImageSnapshot), "the snapshot");
        }
        if (after.DirectorRoot == before.DirectorRoot) Require(NotBehind(before.DirectorTargets, after.DirectorTargets), "the director targets");
    }

    private static bool NotBehind(StoredFileRef? before, StoredFileRef? after) => before is null || (after is not null && after.Version >= before.Version);
}
