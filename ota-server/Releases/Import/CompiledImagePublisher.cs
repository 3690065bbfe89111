using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// Lists a release's compiled images in the image repository (<see cref="ImageRepository.AddCompiledImages"/>: the
/// <c>compiler-CLASS</c> delegation, then snapshot and timestamp), so a device that the director sends the bundle finds
/// the image there (trust-model §3 steps 8–9). Publishing the same release again lists the same entries (idempotent), so
/// an import run again after a crash, or after the operator added a missing delegation, completes the listing.
/// A class the repository refuses (no <c>compiler-CLASS</c> delegation yet, say) is reported, not fatal: the release
/// stays recorded and the other classes listed; devices of that class refuse the target until it is published.
/// </summary>
public sealed class CompiledImagePublisher(ImageRepository repository)
{
    /// <returns>Per class the repository refused: class and why.</returns>
    public IReadOnlyList<(string DeviceClass, string Reason)> Publish(Release release)
    {
        ArgumentNullException.ThrowIfNull(release);
        var refused = new List<(string, string)>();
        foreach (var perClass in release.Images.GroupBy(i => i.DeviceClass, StringComparer.Ordinal))
        {
            try
            {
                repository.AddCompiledImages(perClass.Key, perClass.Select(image => new CompiledImageTarget(
                    ReleaseIdentities.Of(release, image), image.ImageSha256, checked((long)image.ImageLength), release.SourceWasmDigest, release.ManifestDigest)));
            }
            catch (MetadataRefusedException e)
            {
                refused.Add((perClass.Key, $"{e.Refusal.Code}: {e.Refusal.Detail}"));
            }
        }
        return refused;
    }
}
