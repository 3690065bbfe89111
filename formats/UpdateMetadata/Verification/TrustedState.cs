using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// What a device trusts between update cycles (docs/trust-model.md §4): both roots, the image repository's timestamp
/// and snapshot, the last director targets document, the time floor, and when the image root was last refreshed.
/// Immutable: <see cref="UpdateVerifier.Check"/> returns the next state, which the device agent persists (each file
/// as <see cref="SignedMetadata{T}.ToBytes"/>, written atomically, MAC'd) before acting on the result. Every file in
/// it verified under the root held with it.
/// </summary>
public sealed record TrustedState
{
    public required SignedMetadata<RootMetadata> ImageRoot { get; init; }

    public SignedMetadata<TimestampMetadata>? ImageTimestamp { get; init; }

    public SignedMetadata<SnapshotMetadata>? ImageSnapshot { get; init; }

    public required SignedMetadata<RootMetadata> DirectorRoot { get; init; }

    public SignedMetadata<TargetsMetadata>? DirectorTargets { get; init; }

    /// <summary><c>now = max(clock, floor)</c>: an RTC reset cannot revive expired metadata (docs/trust-model.md §9).</summary>
    public DateTimeOffset TimeFloor { get; init; }

    public DateTimeOffset? ImageRootRefreshedAt { get; init; }

    /// <summary>The roles each repository's root must define.</summary>
    internal static readonly string[] ImageRoles = ["root", "targets", "snapshot", "timestamp"];

    internal static readonly string[] DirectorRoles = ["root", "targets"];

    /// <summary>
    /// A device's first trust: the provisioned root files (any version; the device walks forward from them). Each must
    /// carry a threshold of its own root keys and define its repository's roles; expiry does not matter yet.
    /// </summary>
    public static TrustedState Provision(ReadOnlySpan<byte> imageRoot, ReadOnlySpan<byte> directorRoot, DateTimeOffset timeFloor = default) => new()
    {
        ImageRoot = ProvisionedRoot(imageRoot, "image", ImageRoles),
        DirectorRoot = ProvisionedRoot(directorRoot, "director", DirectorRoles),
        TimeFloor = timeFloor,
    };

    /// <summary>
    /// The state a device stored, read back. The roots are taken as they are (they were verified when stored); a stored
    /// timestamp, snapshot or director targets file that no longer carries a threshold under its stored root counts as
    /// deleted — so a power cut between persisting a rotated root and the files it re-signs changes nothing
    /// (docs/trust-model.md §3 step 4).
    /// </summary>
    public static TrustedState Restore(
        ReadOnlySpan<byte> imageRoot, ReadOnlySpan<byte> imageTimestamp, ReadOnlySpan<byte> imageSnapshot,
        ReadOnlySpan<byte> directorRoot, ReadOnlySpan<byte> directorTargets,
        DateTimeOffset timeFloor, DateTimeOffset? imageRootRefreshedAt)
    {
        var state = new TrustedState
        {
            ImageRoot = SignedMetadata<RootMetadata>.Parse(imageRoot),
            DirectorRoot = SignedMetadata<RootMetadata>.Parse(directorRoot),
            TimeFloor = timeFloor,
            ImageRootRefreshedAt = imageRootRefreshedAt,
        };
        return state with
        {
            ImageTimestamp = imageTimestamp.IsEmpty ? null : KeepIfSigned(SignedMetadata<TimestampMetadata>.Parse(imageTimestamp), state.ImageRoot, "timestamp"),
            ImageSnapshot = imageSnapshot.IsEmpty ? null : KeepIfSigned(SignedMetadata<SnapshotMetadata>.Parse(imageSnapshot), state.ImageRoot, "snapshot"),
            DirectorTargets = directorTargets.IsEmpty ? null : KeepIfSigned(SignedMetadata<TargetsMetadata>.Parse(directorTargets), state.DirectorRoot, "targets"),
        };
    }

    internal static SignedMetadata<T>? KeepIfSigned<T>(SignedMetadata<T> file, SignedMetadata<RootMetadata> root, string role)
        where T : RoleMetadata, IRoleMetadata<T> =>
        root.Signed.RoleOrNull(role) is { } keys && ThresholdCheck.CountValid(file, root.Signed.Keys, keys) >= keys.Threshold ? file : null;

    private static SignedMetadata<RootMetadata> ProvisionedRoot(ReadOnlySpan<byte> bytes, string repository, string[] roles)
    {
        var root = SignedMetadata<RootMetadata>.Parse(bytes);
        try
        {
            RequireRoles(root.Signed, roles);
            ThresholdCheck.Require(root, root.Signed.Keys, root.Signed.Roles["root"], "root");
        }
        catch (MetadataRefusedException e)
        {
            throw e.In("root", $"provisioned {repository} root");
        }
        return root;
    }

    internal static void RequireRoles(RootMetadata root, string[] roles)
    {
        foreach (var role in roles)
            if (!root.Roles.ContainsKey(role))
                throw new MetadataRefusedException(ReasonCodes.MetadataMalformed, $"$.signed.roles.{role}", "required in this repository's root");
    }
}
