using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// Releases an earlier release's code again at a higher security counter — an operator rollback below the fleet's floor
/// (docs/trust-model.md §7: "a new release of the old code with counter = the fleet's floor"). The new release has the
/// same manifest, source and images, its own id (<see cref="Release.IdFor(string, ulong)"/>), the counter, and is
/// recorded now with the earlier release's bundle lifetime; its images are listed in the image repository by the same
/// publisher an import uses, under target paths that carry the new counter (a new target even for the same bytes).
/// Its bundles are cut like any release's — by the compiler key, a delta from the image the device runs. The same code
/// at the same counter twice is one release (the id), and listing it again completes a listing a crash cut short.
/// </summary>
public sealed class ReleaseRecounter(IReleaseStore releases, TimeProvider time, CompiledImagePublisher? publisher = null, ILogger<ReleaseRecounter>? log = null)
{
    /// <returns><paramref name="code"/> itself when it already carries <paramref name="securityCounter"/>, else the re-release.</returns>
    /// <exception cref="ProblemException"><c>counter-below-predecessor</c> below the code's own counter (that would be no
    /// re-release but a release devices refuse), <c>counter-too-large</c> above the devices' 32 bits.</exception>
    public async Task<Release> RereleaseAsync(Release code, ulong securityCounter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (securityCounter < code.SecurityCounter)
            throw new ProblemException("re-release refused", new Problem(ReleaseProblemCodes.CounterBelowPredecessor, "$.securityCounter",
                $"{securityCounter} is below {code.Container} {code.Version}'s own counter {code.SecurityCounter}"));
        if (securityCounter > uint.MaxValue)
            throw new ProblemException("re-release refused", new Problem(ReleaseProblemCodes.CounterTooLarge, "$.securityCounter",
                $"devices keep a 32-bit counter (at most {uint.MaxValue})"));
        if (securityCounter == code.SecurityCounter) return code;
        var recorded = await releases.GetAsync(Release.IdFor(code.ManifestDigest, securityCounter), ct).ConfigureAwait(false);
        if (recorded is null)
        {
            var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
            recorded = await releases.AddOrGetAsync(code with
            {
                Id = Release.IdFor(code.ManifestDigest, securityCounter),
                SecurityCounter = securityCounter,
                Security = false,
                ImportedAt = now,
                BundleExpires = now + (code.BundleExpires - code.ImportedAt),
            }, ct).ConfigureAwait(false);
        }
        foreach (var (deviceClass, reason) in publisher?.Publish(recorded) ?? [])
            log?.LogWarning("re-release {Release} of {Container} {Version} at counter {Counter}: {Class} not listed in the image repository ({Reason})",
                recorded.Id, recorded.Container, recorded.Version, securityCounter, deviceClass, reason);
        return recorded;
    }
}
