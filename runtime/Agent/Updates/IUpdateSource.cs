using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.DeviceAgent.Status;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>
/// Where a running device gets its updates. The runner asks on every poll for the bundles that are complete on
/// local storage, installs each one (once no trial of the same container is still running), and hands it back
/// with the result. Today's source is the device's inbox folder (<see cref="DeviceInbox"/>); an HTTP source
/// (issue 12) polls the server and downloads in the background into a partial file (resumable with Range,
/// committed with <see cref="Primitives.AtomicFile.MoveIntoPlace"/>), and lists an update only once the file is
/// complete — so the installer only ever reads whole files and the runner never waits on the network.
/// </summary>
public interface IUpdateSource
{
    /// <summary>Bundles ready to install, in the order to install them. Called every poll: cheap, never blocking.</summary>
    IReadOnlyList<StagedUpdate> Ready();

    /// <summary>
    /// The device is done with <paramref name="update"/> (<paramref name="result"/> says how: installed, refused or
    /// failed); the source forgets it. The inbox deletes the file; an HTTP source also reports the result.
    /// </summary>
    void Finished(StagedUpdate update, InstallStatus result);
}

/// <summary>
/// One update complete on local storage: how logs and status name it, the file, and — from a source that verified
/// update metadata — what the metadata says the bundle must be (the installer binds the header to it, step 12).
/// <see cref="Kind"/> says what the file is: a bundle, or an offline export archive (<see cref="StagedUpdateKind.OfflineExport"/>)
/// that carries its own metadata and is verified by <see cref="OfflineExportInstaller"/> like <c>install --metadata</c>.
/// </summary>
public sealed record StagedUpdate(string Name, string BundleFile, VerifiedInstall? Metadata = null, StagedUpdateKind Kind = StagedUpdateKind.Bundle);

/// <summary>What a staged file is.</summary>
public enum StagedUpdateKind
{
    /// <summary>One bundle (docs/bundle-format.md).</summary>
    Bundle,

    /// <summary>An offline export as one tar (docs/update-metadata.md §9): metadata and bundles, verified on the device.</summary>
    OfflineExport,
}
