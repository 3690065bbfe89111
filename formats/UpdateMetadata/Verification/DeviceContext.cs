using AtymSecure.Primitives;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// What the device knows about itself when it checks metadata: its id and class, the nonces a director answer may
/// echo (the last acknowledged report's and the one in flight, docs/trust-model.md §11.13), and per container in its
/// partition table the counter floor and the images it holds.
/// </summary>
public sealed record DeviceContext(
    string DeviceId,
    string DeviceClass,
    EquatableList<string> AcceptedNonces,
    EquatableMap<InstalledContainer> Containers);

/// <summary>One container slot pair: the counter floor from the counter store, and the confirmed and pending images (SHA-256 hex).</summary>
public sealed record InstalledContainer(long SecurityCounterFloor, string? ConfirmedImageSha256 = null, string? PendingImageSha256 = null)
{
    public bool Holds(string imageSha256) => imageSha256 == ConfirmedImageSha256 || imageSha256 == PendingImageSha256;
}
