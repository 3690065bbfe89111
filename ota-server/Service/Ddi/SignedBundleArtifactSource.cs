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
/// are computed once per bundle and remembered; the SHA-256 is the bundle's name. The bytes are read through the
/// <see cref="IBundleStore"/> (<see cref="DdiArtifactFile.Open"/>), so they may be in an object store. Null when the release has no image
/// for the class or the offer moved on.
/// </summary>
public sealed class SignedBundleArtifactSource(DesiredStateResolver desired, IBundleStore bundles) : IDdiArtifactSource
{
    private readonly ConcurrentDictionary<string, (string Sha1, string Md5, Func<CancellationToken, Task<Stream?>> Open)> _known = new(StringComparer.Ordinal);

    public async Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var state = await desired.ResolveAsync(new DeviceView(request.Device.Id, request.Device.DeviceClass, EquatableMap<string>.Empty), ct).ConfigureAwait(false);
        var container = state.Containers.FirstOrDefault(c => c.Container == request.Container && c.Image.ReleaseId == request.ReleaseId);
        if (container is null || await bundles.FindAsync(container.Bundle.Sha256, ct).ConfigureAwait(false) is not { } length) return null;
        var hex = container.Bundle.Sha256;
        if (!_known.TryGetValue(hex, out var known))
        {
            if (await bundles.OpenReadAsync(hex, ct).ConfigureAwait(false) is not { } stream) return null;
            var (sha1, md5) = await HashAsync(stream, ct).ConfigureAwait(false);
            // One opener per bundle, kept: the same artifact is the same (equal) record on every call.
            _known[hex] = known = (sha1, md5, c => bundles.OpenReadAsync(hex, c));
        }
        // Read through the bundle store (a folder or an object store), not a file path.
        return new DdiArtifactFile(FileName(request.Container, request.Version), null, length, hex, known.Sha1, known.Md5) { Open = known.Open };
    }

    /// <summary>A DDI file name: the container and version with every character outside the file-name grammar as '-'.</summary>
    public static string FileName(string container, string version)
    {
        var text = $"{container}-{version}.bundle".Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' ? c : '-').ToArray();
        return new string(text).TrimStart('.', '-');
    }

    private static async Task<(string Sha1, string Md5)> HashAsync(Stream bundle, CancellationToken ct)
    {
#pragma warning disable CA5351, CA5350 // DDI lists MD5 and SHA-1 for clients' consistency checks; integrity rests on the bundle's own signature
        var (_, hex) = await DdiArtifactHashes.OfStreamAsync(bundle, [HashAlgorithmName.SHA1, HashAlgorithmName.MD5], ct).ConfigureAwait(false);
#pragma warning restore CA5351, CA5350
        return (hex[0], hex[1]);
    }
}
