namespace AtymSecure.DeviceAgent;

/// <summary>
/// Bundles waiting for a running device: <c>atym device install</c> drops a bundle here when another
/// process runs the device (as an update agent's download folder would), and the running device installs
/// it and starts its trial. A file appears under its final name only when complete (copy, flush, rename).
/// </summary>
public static class DeviceInbox
{
    private const string Extension = ".bundle";

    public static string Enqueue(DeviceDirectory directory, string bundlePath)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var info = new FileInfo(bundlePath);
        if (!info.Exists) throw new FileNotFoundException($"no such bundle: {bundlePath}", bundlePath);
        if (info.Length > BundleFileInstaller.MaxBundleBytes)
            throw new ArgumentException($"bundle is {info.Length} bytes, above {BundleFileInstaller.MaxBundleBytes}", nameof(bundlePath));
        Directory.CreateDirectory(directory.InboxDirectory);
        var stamp = DateTime.UtcNow.ToString("yyyyMMddTHHmmssfffffff", System.Globalization.CultureInfo.InvariantCulture);
        var final = Path.Combine(directory.InboxDirectory, $"{stamp}-{Path.GetFileNameWithoutExtension(info.Name)}{Extension}");
        var temp = final + ".part";
        using (var source = info.OpenRead())
        using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            source.CopyTo(target);
            target.Flush(flushToDisk: true);
        }
        File.Move(temp, final);
        return final;
    }

    /// <summary>Complete bundles in arrival order (partial copies of a killed enqueue are ignored).</summary>
    public static IReadOnlyList<string> Pending(DeviceDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return Directory.Exists(directory.InboxDirectory)
            ? [.. Directory.EnumerateFiles(directory.InboxDirectory, "*" + Extension).Order(StringComparer.Ordinal)]
            : [];
    }
}
