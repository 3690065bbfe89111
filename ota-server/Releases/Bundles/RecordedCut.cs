using AtymSecure.OtaReleases.Planning;

namespace AtymSecure.OtaReleases.Bundles;

/// <summary>A cut the <see cref="BundleFileStore"/> index holds: what was cut (null for an entry written before the index kept
/// its key) and the bundle it gave.</summary>
public sealed record RecordedCut(BundleCutKey? Key, BundleLocation Bundle);
