using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>The releases page: every release, newest version first within each container, the delta bundles cut so far to
/// each (by release id), and the vendor key files to name signers by.</summary>
public sealed record ReleasesModel(IReadOnlyList<Release> Releases, IReadOnlyDictionary<string, IReadOnlyList<ReleaseDelta>> Deltas, VendorKeyNames Keys)
{
    public IReadOnlyList<ReleaseDelta> DeltasOf(Release release) => Deltas.TryGetValue(release.Id, out var deltas) ? deltas : [];
}
