using System.Formats.Tar;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Offline;
using AtymSecure.OtaContracts;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Offline;

/// <summary>What an operator asks to export: the devices (one class), and the offline document's life.</summary>
public sealed record OfflineExportRequest(EquatableList<string> Devices, TimeSpan Lifetime);

/// <summary>One file of an export: its path in the layout (<see cref="OfflineExportLayout"/>) and where its bytes come from.</summary>
public sealed record OfflineExportFile(string Path, byte[]? Bytes, string? SourceFile);

/// <summary>
/// <c>atym ota export-offline</c> (docs/trust-model.md §6, docs/update-metadata.md §9): for a list of devices of one
/// class, what each should run — resolved as the poll does (<see cref="DesiredStateResolver"/>) but always as full
/// bundles, since the server cannot know what an air-gapped device runs — signed as one offline director document
/// (no nonce; its own version sequence; exportedAt; default 30 d), with both root chains, the image repository's
/// current timestamp, snapshot and every targets file the snapshot lists, and the bundles. Every device in the list
/// must resolve to the same targets (one document names them for all). The result is a tar of the export folder.
/// </summary>
public sealed class OfflineExporter(IDeviceStore devices, DesiredStateResolver desired, UptaneDirector director, ImageRepository images, IBundleStore bundles)
{
    public async Task<IReadOnlyList<OfflineExportFile>> ExportAsync(OfflineExportRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Devices.Count is 0 or > OfflineDirectorCustom.MaxDevices)
            throw new OtaProblemException(400, ReleaseProblemCodes.RequestInvalid, "devices", $"1 to {OfflineDirectorCustom.MaxDevices} device ids");
        var records = new List<DeviceRecord>();
        for (var i = 0; i < request.Devices.Count; i++)
        {
            var id = request.Devices[i];
            if (!DirectorIds.IsDeviceId(id)) throw new OtaProblemException(400, ReleaseProblemCodes.DeviceIdInvalid, $"devices[{i}]", $"'{id}' is not a device id");
            var record = devices.Find(id) ?? throw new OtaProblemException(404, ReleaseProblemCodes.DeviceNotFound, $"devices[{i}]", $"no device '{id}'");
            if (records.Count > 0 && record.DeviceClass != records[0].DeviceClass)
                throw new OtaProblemException(400, ReleaseProblemCodes.OfflineExportMixedClasses, $"devices[{i}]",
                    $"'{id}' is a {record.DeviceClass} device, '{records[0].Id}' a {records[0].DeviceClass} one: one export is for one class");
            records.Add(record);
        }
        var published = images.Published;
        if (director.Roots.Current is null || published.Root is null || published.Timestamp is null || published.Snapshot is null)
            throw new OtaProblemException(409, ReleaseProblemCodes.OfflineExportNotReady, "devices",
                "the director root and the image repository (root, targets, snapshot, timestamp) must be published first (atym tuf init, uploads)");

        var deviceClass = records[0].DeviceClass;
        EquatableList<DirectorBundleTarget>? targets = null;
        List<DesiredContainer> containers = [];
        foreach (var record in records)
        {
            var state = await desired.ResolveAsync(new DeviceView(record.Id, deviceClass, EquatableMap<string>.Empty) { Groups = record.Groups }, ct).ConfigureAwait(false);
            var mine = new EquatableList<DirectorBundleTarget>(state.Containers.Select(c => c.DirectorTarget()));
            if (targets is null)
            {
                targets = mine;
                containers = [.. state.Containers];
            }
            else if (!targets.Equals(mine))
                throw new OtaProblemException(409, ReleaseProblemCodes.OfflineExportTargetsDiffer, "devices",
                    $"'{record.Id}' is assigned other releases than '{records[0].Id}': export them separately");
        }
        if (containers.Count == 0)
            throw new OtaProblemException(409, ReleaseProblemCodes.OfflineExportNothingAssigned, "devices", $"nothing is assigned to '{records[0].Id}'");

        var document = director.SignOffline(new OfflineDirectorRequest(deviceClass, request.Devices, targets!, request.Lifetime));
        var files = new List<OfflineExportFile>();
        foreach (var (name, bytes) in director.RootChain())
            files.Add(new OfflineExportFile($"{OfflineExportLayout.DirectorFolder}/{name}", bytes, null));
        files.Add(new OfflineExportFile($"{OfflineExportLayout.DirectorFolder}/{UptaneDirector.TargetsFile}", document.ToBytes(), null));
        foreach (var name in ImageFiles(published))
            files.Add(new OfflineExportFile($"{OfflineExportLayout.ImageFolder}/{name}",
                images.Metadata.Read(name) ?? throw new InvalidOperationException($"image repository file {name} is listed but missing"), null));
        foreach (var container in containers)
        {
            // Read through the store (a folder or an object store), checked against its digest.
            var bytes = await bundles.ReadAllAsync(container.Bundle.Sha256, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"bundle {container.Bundle.Sha256} was cut but is missing");
            files.Add(new OfflineExportFile(container.Bundle.TargetPath(container.Container), bytes, null));
        }
        return files;
    }

    /// <summary>Root chain, timestamp, the snapshot it lists and every targets file the snapshot lists (consistent-snapshot names).</summary>
    private static IEnumerable<string> ImageFiles(PublishedImageRepository published)
    {
        for (var v = 1L; v <= published.Root!.Signed.Version; v++) yield return $"{v}.root.json";
        yield return ImageRepository.TimestampFile;
        yield return $"{published.Timestamp!.Signed.Snapshot.Version}.snapshot.json";
        foreach (var (name, meta) in published.Snapshot!.Signed.Meta) yield return $"{meta.Version}.{name}";
    }

    /// <summary>Writes <paramref name="files"/> as a POSIX tar (regular files, mode 0644, fixed time: the same export gives the same bytes).</summary>
    public static async Task WriteTarAsync(IReadOnlyList<OfflineExportFile> files, Stream output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        await using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var file in files)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, file.Path)
            {
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                ModificationTime = DateTimeOffset.UnixEpoch,
            };
            await using var data = file.Bytes is { } bytes ? new MemoryStream(bytes) : (Stream)File.OpenRead(file.SourceFile!);
            entry.DataStream = data;
            await tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
        }
    }
}
