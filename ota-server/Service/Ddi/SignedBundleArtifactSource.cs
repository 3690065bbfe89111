using System.Collections.Concurrent;
using System.Security.Cryptography;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// The default <see cref="IDdiArtifactSource"/>: the full signed bundle of the offered release for the device's class,
/// cut as for an atym device (<see cref="DesiredStateResolver"/>, no delta: the server does not know what a DDI device
/// runs), named <c>CONTAINER-VERSION.bundle</c>. Its SHA-1 and MD5 (which DDI lists and the bundle store does not keep)
/// are computed once per bundle and remembered; the SHA-256 is the bundle's name. Null when the release has no image
/// for the class or the offer moved on.
/// </summary>
public sealed class SignedBundleArtifactSource(DesiredStateResolver desired, BundleFileStore bundles) : IDdiArtifactSource
{
    private readonly ConcurrentDictionary<string, (string Sha1, string Md5)> _hashes = new(StringComparer.Ordinal);

    public async Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var state = await desired.ResolveAsync(new DeviceView(request.Device.Id, request.Device.DeviceClass, EquatableMap<string>.Empty), ct).ConfigureAwait(false);
        var container = state.Containers.FirstOrDefault(c => c.Container == request.Container && c.Image.ReleaseId == request.ReleaseId);
        if (container is null || bundles.Find(container.Bundle.Sha256) is not { } file) return null;
        var (sha1, md5) = _hashes.TryGetValue(container.Bundle.Sha256, out var known) ? known : _hashes[container.Bundle.Sha256] = await HashAsync(file.FullName, ct).ConfigureAwait(false);
        return new DdiArtifactFile(FileName(request.Container, request.Version), file.FullName, file.Length, container.Bundle.Sha256, sha1, md5);
    }

    /// <summary>A DDI file name: the container and version with every character outside the file-name grammar as '-'.</summary>
    public static string FileName(string container, string version)
    {
        var text = $"{container}-{version}.bundle".Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' ? c : '-').ToArray();
        return new string(text).TrimStart('.', '-');
    }

    private static async Task<(string Sha1, string Md5)> HashAsync(string path, CancellationToken ct)
    {
#pragma warning disable CA5351, CA5350 // DDI lists MD5 and SHA-1 for clients' consistency checks; integrity rests on the bundle's own signature
        var (_, hex) = await DdiArtifactHashes.OfFileAsync(path, [HashAlgorithmName.SHA1, HashAlgorithmName.MD5], ct).ConfigureAwait(false);
#pragma warning restore CA5351, CA5350
        return (hex[0], hex[1]);
    }
}
