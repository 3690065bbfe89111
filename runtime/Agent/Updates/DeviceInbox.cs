using AtymSecure.DeviceAgent.Status;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>
/// The device's inbox folder as its update source: <c>atym device install</c> drops a bundle here when another
/// process runs the device (<see cref="Enqueue"/>), and the running device installs it and starts its trial. An
/// SWUpdate gateway drops an offline export here as one tar (<c>NAME.tar</c>: the <c>.swu</c>'s rawfile payload,
/// written as <c>NAME.tar.tmp</c> and renamed, SWUpdate's atomic-install), which the device verifies like
/// <c>install --metadata</c> (<see cref="StagedUpdateKind.OfflineExport"/>). A file appears under its final name only
/// when complete (<see cref="AtomicFile"/>: temp file, fsync, rename), so partial copies are never listed.
/// </summary>
/// <param name="clock">Stamps queued names, so they sort in arrival order.</param>
public sealed class DeviceInbox(DeviceDirectory directory, TimeProvider? clock = null) : IUpdateSource
{
    public const string BundleExtension = ".bundle";
    public const string ExportExtension = ".tar";

    /// <summary>Largest offline export the inbox takes (every bundle of a device at its largest, and the metadata).</summary>
    public const long MaxExportBytes = 512L * 1024 * 1024;

    private readonly DeviceDirectory _directory = directory ?? throw new ArgumentNullException(nameof(directory));
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Copies <paramref name="path"/> (a bundle, or an offline export <c>.tar</c>) into the inbox; returns the queued file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ArgumentException">Larger than any bundle or export the device accepts.</exception>
    public string Enqueue(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"no such bundle: {path}", path);
        var export = info.Name.EndsWith(ExportExtension, StringComparison.Ordinal);
        var limit = export ? MaxExportBytes : BundleFileInstaller.MaxBundleBytes;
        if (info.Length > limit)
            throw new ArgumentException($"{(export ? "offline export" : "bundle")} is {info.Length} bytes, above {limit}", nameof(path));
        var stamp = _clock.GetUtcNow().UtcDateTime.ToString("yyyyMMddTHHmmssfffffff", System.Globalization.CultureInfo.InvariantCulture);
        var final = Path.Combine(_directory.InboxDirectory, $"{stamp}-{Path.GetFileNameWithoutExtension(info.Name)}{(export ? ExportExtension : BundleExtension)}");
        AtomicFile.Write(final, target =>
        {
            using var source = info.OpenRead();
            source.CopyTo(target);
        }, new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew });
        return final;
    }

    /// <summary>Complete bundles and exports in arrival order (their names start with the time they were queued).</summary>
    public IReadOnlyList<StagedUpdate> Ready() =>
        Directory.Exists(_directory.InboxDirectory)
            ? [.. Directory.EnumerateFiles(_directory.InboxDirectory)
                .Where(f => f.EndsWith(BundleExtension, StringComparison.Ordinal) || f.EndsWith(ExportExtension, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(f => new StagedUpdate(Path.GetFileName(f), f, null,
                    f.EndsWith(ExportExtension, StringComparison.Ordinal) ? StagedUpdateKind.OfflineExport : StagedUpdateKind.Bundle))]
            : [];

    /// <summary>Removes the file: whatever the result, it is not tried again (the status keeps the result).</summary>
    /// <exception cref="IOException">The file could not be removed.</exception>
    public void Finished(StagedUpdate update, InstallStatus result)
    {
        ArgumentNullException.ThrowIfNull(update);
        File.Delete(update.BundleFile);
    }
}
