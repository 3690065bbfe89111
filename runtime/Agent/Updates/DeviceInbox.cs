using AtymSecure.DeviceAgent.Status;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>
/// The device's inbox folder as its update source: <c>atym device install</c> drops a bundle here when another
/// process runs the device (<see cref="Enqueue"/>), and the running device installs it and starts its trial. A
/// bundle appears under its final name only when complete (<see cref="AtomicFile"/>: temp file, fsync, rename),
/// so partial copies of a killed enqueue are never listed.
/// </summary>
/// <param name="clock">Stamps queued names, so they sort in arrival order.</param>
public sealed class DeviceInbox(DeviceDirectory directory, TimeProvider? clock = null) : IUpdateSource
{
    private const string Extension = ".bundle";

    private readonly DeviceDirectory _directory = directory ?? throw new ArgumentNullException(nameof(directory));
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Copies <paramref name="bundlePath"/> into the inbox; returns the queued file.</summary>
    /// <exception cref="FileNotFoundException">No such bundle.</exception>
    /// <exception cref="ArgumentException">Larger than any bundle the device accepts.</exception>
    public string Enqueue(string bundlePath)
    {
        var info = new FileInfo(bundlePath);
        if (!info.Exists) throw new FileNotFoundException($"no such bundle: {bundlePath}", bundlePath);
        if (info.Length > BundleFileInstaller.MaxBundleBytes)
            throw new ArgumentException($"bundle is {info.Length} bytes, above {BundleFileInstaller.MaxBundleBytes}", nameof(bundlePath));
        var stamp = _clock.GetUtcNow().UtcDateTime.ToString("yyyyMMddTHHmmssfffffff", System.Globalization.CultureInfo.InvariantCulture);
        var final = Path.Combine(_directory.InboxDirectory, $"{stamp}-{Path.GetFileNameWithoutExtension(info.Name)}{Extension}");
        AtomicFile.Write(final, target =>
        {
            using var source = info.OpenRead();
            source.CopyTo(target);
        }, new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew });
        return final;
    }

    /// <summary>Complete bundles in arrival order (their names start with the time they were queued).</summary>
    public IReadOnlyList<StagedUpdate> Ready() =>
        Directory.Exists(_directory.InboxDirectory)
            ? [.. Directory.EnumerateFiles(_directory.InboxDirectory, "*" + Extension).Order(StringComparer.Ordinal)
                .Select(f => new StagedUpdate(Path.GetFileName(f), f))]
            : [];

    /// <summary>Removes the bundle: whatever the result, it is not tried again (the status keeps the result).</summary>
    /// <exception cref="IOException">The file could not be removed.</exception>
    public void Finished(StagedUpdate update, InstallStatus result)
    {
        ArgumentNullException.ThrowIfNull(update);
        File.Delete(update.BundleFile);
    }
}
