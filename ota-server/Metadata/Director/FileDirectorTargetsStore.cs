using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Director;

/// <summary>
/// <see cref="IDirectorTargetsStore"/> as one file per device, <c>DEVICE-ID.targets.json</c>: the signed document
/// itself (the TUF format, no second format to keep), replaced atomically. Compare-and-set holds within one process
/// (a lock); the OTA service runs one process per data folder.
/// </summary>
public sealed class FileDirectorTargetsStore : IDirectorTargetsStore
{
    private readonly string _folder;
    private readonly Lock _gate = new();

    public FileDirectorTargetsStore(string folder)
    {
        _folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(_folder);
    }

    public SignedMetadata<TargetsMetadata>? Latest(string deviceId)
    {
        var path = PathOf(deviceId);
        lock (_gate)
        {
            return File.Exists(path) ? SignedMetadata<TargetsMetadata>.Parse(File.ReadAllBytes(path)) : null;
        }
    }

    public bool TryReplace(string deviceId, long replacesVersion, SignedMetadata<TargetsMetadata> document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var path = PathOf(deviceId);
        lock (_gate)
        {
            var stored = File.Exists(path) ? SignedMetadata<TargetsMetadata>.Parse(File.ReadAllBytes(path)).Signed.Version : 0;
            if (stored != replacesVersion || document.Signed.Version <= stored) return false;
            AtomicFile.Write(path, document.FileBytes);
            return true;
        }
    }

    // Device ids are [A-Za-z0-9._:-]{1,128} (DirectorDocumentCustom); a leading dot could name "." or "..".
    private string PathOf(string deviceId)
    {
        if (!DirectorIds.IsDeviceId(deviceId)) throw new ArgumentException($"'{deviceId}' is not a device id", nameof(deviceId));
        return Path.Combine(_folder, deviceId + ".targets.json");
    }
}
