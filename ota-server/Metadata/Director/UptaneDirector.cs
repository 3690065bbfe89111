using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;

namespace AtymSecure.OtaMetadata.Director;

/// <summary>
/// The Uptane director as the OTA service hosts it: its own root chain (signed offline, roles root and targets only,
/// docs/trust-model.md §11.1) in <c>DATA/tuf/director/metadata</c>, and the per-device targets documents signed by
/// <see cref="Signer"/>. <see cref="File"/> gives the bytes a device fetches from its private director path; the
/// OTA service maps that path and the device's session, this library only knows files.
/// </summary>
public sealed class UptaneDirector
{
    public const string TargetsFile = "targets.json";

    public UptaneDirector(string folder, IOnlineKeyStore keys, TimeProvider clock, IDirectorTargetsStore? store = null, DirectorOptions? options = null)
    {
        Metadata = new MetadataFolder(Path.Combine(folder, "metadata"));
        Roots = new RootChainStore(Metadata, ["root", "targets"]);
        Store = store ?? new FileDirectorTargetsStore(Path.Combine(folder, "devices"));
        OfflineSequence = new FileDirectorTargetsStore(Path.Combine(folder, "offline"));
        Signer = new DirectorTargetsSigner(Roots, keys, Store, clock, options);
        Clock = clock;
    }

    public MetadataFolder Metadata { get; }

    public RootChainStore Roots { get; }

    public IDirectorTargetsStore Store { get; }

    public DirectorTargetsSigner Signer { get; }

    /// <summary>The offline documents' own version sequence (<c>DATA/tuf/director/offline/offline.targets.json</c>: the last one signed).</summary>
    public IDirectorTargetsStore OfflineSequence { get; }

    /// <summary>Signs the next offline director document (<see cref="DirectorTargetsSigner.SignOffline"/>).</summary>
    public SignedMetadata<TargetsMetadata> SignOffline(OfflineDirectorRequest request) => Signer.SignOffline(request, OfflineSequence);

    /// <summary>The director root chain, <c>1.root.json</c> … current, for an offline export.</summary>
    public IReadOnlyList<(string Name, byte[] Bytes)> RootChain() =>
        [.. Metadata.Versions("root").Select(v => ($"{v}.root.json", Metadata.Read($"{v}.root.json")!))];

    private TimeProvider Clock { get; }

    /// <summary>Uploads the next director root (signed offline by old and new root keys).</summary>
    public void AcceptRoot(ReadOnlySpan<byte> file) => Roots.Accept(file, Clock.GetUtcNow());

    /// <summary>
    /// The director file <paramref name="name"/> for <paramref name="deviceId"/>: <c>N.root.json</c> (the same for every
    /// device) or <c>targets.json</c> (the device's last signed document); null when there is none (HTTP 404).
    /// </summary>
    public byte[]? File(string deviceId, string name)
    {
        if (name == TargetsFile) return DirectorIds.IsDeviceId(deviceId) ? Store.Latest(deviceId)?.ToBytes() : null;
        return name.EndsWith(".root.json", StringComparison.Ordinal) ? Metadata.Read(name) : null;
    }
}
