using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>The releases page: every release, newest version first within each container.</summary>
public sealed record ReleasesModel(IReadOnlyList<Release> Releases);
