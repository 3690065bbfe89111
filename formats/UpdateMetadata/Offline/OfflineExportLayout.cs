using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.Formats.UpdateMetadata.Offline;

/// <summary>
/// The folder an offline export is (docs/update-metadata.md §9), written by the server (<c>atym ota export-offline</c>)
/// and read by the device (<c>atym device install --metadata DIR</c>): one layout, named here once.
/// <code>
/// DIR/director/N.root.json        the director's root chain, 1 … current
/// DIR/director/targets.json       the offline director document (custom.offline, devices, exportedAt; no nonce)
/// DIR/image/N.root.json           the image repository's root chain, 1 … current
/// DIR/image/timestamp.json        timestamp, V.snapshot.json, V.targets.json, V.ROLE.json: the files the snapshot lists
/// DIR/bundles/CONTAINER/SHA256.bundle   each bundle the document names, under its director target path
/// </code>
/// The metadata folders are <see cref="IMetadataSource"/>s (<see cref="DirectoryMetadataSource"/>), so the device
/// runs the same verifier over them as over HTTP.
/// </summary>
public static class OfflineExportLayout
{
    public const string DirectorFolder = "director";

    public const string ImageFolder = "image";

    /// <summary>The two repositories of the export at <paramref name="root"/>.</summary>
    public static UpdateSources Sources(string root) => new(
        new DirectoryMetadataSource(Path.Combine(root, DirectorFolder)),
        new DirectoryMetadataSource(Path.Combine(root, ImageFolder)));

    /// <summary>
    /// Where the export keeps the bundle of <paramref name="install"/>: its director target path
    /// (<c>bundles/CONTAINER/SHA256.bundle</c>, a verified path of safe segments) under <paramref name="root"/>.
    /// </summary>
    public static string BundleFile(string root, VerifiedInstall install)
    {
        ArgumentNullException.ThrowIfNull(install);
        return BundleFile(root, install.BundlePath);
    }

    /// <summary>The file for a director target path; refuses any path that is not relative segments of <c>[A-Za-z0-9._-]</c>.</summary>
    public static string BundleFile(string root, string targetPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var segments = targetPath.Split('/');
        if (segments.Length != 3 || segments[0] != "bundles" || segments.Any(s => s.Length == 0 || s.StartsWith('.') || !s.All(IsSafe)))
            throw new ArgumentException($"'{targetPath}' is not a bundle target path (bundles/CONTAINER/SHA256.bundle)", nameof(targetPath));
        return Path.Combine([root, .. segments]);
    }

    private static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
