using AtymSecure.Primitives;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// The outcome of one update cycle: the state to persist (always — files that verified before a refusal are kept,
/// as TUF does), and either a <see cref="VerifiedUpdate"/>, nothing new (<see cref="IsUpToDate"/>), or the
/// <see cref="Refusal"/> to report. Constructed only by <see cref="UpdateVerifier"/>.
/// </summary>
public sealed class UpdateCheck
{
    internal UpdateCheck(TrustedState state, VerifiedUpdate? update, MetadataRefusal? refusal)
    {
        State = state;
        Update = update;
        Refusal = refusal;
    }

    public TrustedState State { get; }

    public VerifiedUpdate? Update { get; }

    public MetadataRefusal? Refusal { get; }

    /// <summary><c>up-to-date</c> (step 3): every container the director names already holds its image.</summary>
    public bool IsUpToDate => Update is null && Refusal is null;

    /// <summary>The verified update, or the refusal as an exception.</summary>
    public VerifiedUpdate RequireUpdate() =>
        Update ?? throw (Refusal is { } r ? new MetadataRefusedException(r) : new InvalidOperationException("nothing to update: every assigned image is installed"));

    public override string ToString() => Refusal?.ToString() ?? (Update is null ? "up-to-date" : $"update: {string.Join(", ", Update.Installs)}");
}

/// <summary>
/// What the device may install, after steps 1–10: per container, the bundle to download and the image it must
/// yield, agreed by the director and the image repository, with the keys of the delegations that listed the image
/// and its source (the bootloader's signer check, step 13, takes them from here). Constructed only by
/// <see cref="UpdateVerifier"/>, like <see cref="Bundle.VerifiedBundle"/>.
/// </summary>
public sealed class VerifiedUpdate
{
    internal VerifiedUpdate(long directorVersion, string? nonce, IReadOnlyList<VerifiedInstall> installs)
    {
        DirectorVersion = directorVersion;
        Nonce = nonce;
        Installs = installs;
    }

    /// <summary>The director targets version this update comes from (reported back to the server); for an offline export, its offline version.</summary>
    public long DirectorVersion { get; }

    /// <summary>The nonce the director echoed: the report it answers. Null for an offline export, which carries none.</summary>
    public string? Nonce { get; }

    /// <summary>True when this update comes from an offline export (<see cref="UpdateVerifier.CheckOffline"/>).</summary>
    public bool IsOffline => Nonce is null;

    /// <summary>The offline version the device stores once it accepted this export (0 for an online update).</summary>
    public long OfflineVersion => IsOffline ? DirectorVersion : 0;

    /// <summary>Containers whose image changes, in the director's order; never empty.</summary>
    public IReadOnlyList<VerifiedInstall> Installs { get; }
}

/// <summary>
/// One container's verified install: release identity, bundle (download at most its length), image, provenance, signer
/// keys. Constructed only by <see cref="UpdateVerifier"/> and with no way to change a field afterwards (a class, not a
/// record: no <c>with</c>), so the installer's step 12 binding (<see cref="BundleBinding"/>) and step 13 keys come only
/// from metadata that verified.
/// </summary>
public sealed class VerifiedInstall
{
    internal VerifiedInstall(ReleaseIdentity release, string bundlePath, TargetFile bundle, string imagePath, ImageReference image,
        string sourceWasmDigest, VerifiedRoleKeys imageRole, VerifiedRoleKeys sourceRole, InstallWindow? window)
    {
        Window = window;
        Release = release;
        BundlePath = bundlePath;
        Bundle = bundle;
        ImagePath = imagePath;
        Image = image;
        SourceWasmDigest = sourceWasmDigest;
        ImageRole = imageRole;
        SourceRole = sourceRole;
    }

    public ReleaseIdentity Release { get; }

    /// <summary>The director's target path of the bundle (<c>bundles/CONTAINER/SHA256.bundle</c>).</summary>
    public string BundlePath { get; }

    /// <summary>The bundle to download: its signed length and hashes.</summary>
    public TargetFile Bundle { get; }

    public string ImagePath { get; }

    /// <summary>The container image the bundle must yield (director and image repository agree on it).</summary>
    public ImageReference Image { get; }

    public string SourceWasmDigest { get; }

    /// <summary>The delegation that listed the image (<c>compiler-CLASS</c>): its keys sign the bundle (step 13).</summary>
    public VerifiedRoleKeys ImageRole { get; }

    public VerifiedRoleKeys SourceRole { get; }

    /// <summary>The director's install window for this target (null: install at once); the device downloads now and
    /// installs only while it is open on its clock.</summary>
    public InstallWindow? Window { get; }

    public override string ToString() => $"{Release.Container} {Release.Version} (c{Release.SecurityCounter})";
}

/// <summary>The keys a verified delegation names for its role, with its threshold: the device's source of bundle-signing keys.</summary>
public sealed record VerifiedRoleKeys(string Role, EquatableList<TufKey> Keys, int Threshold)
{
    public IReadOnlyList<VerificationKey> VerificationKeys => [.. Keys.Select(k => k.VerificationKey)];

    internal static VerifiedRoleKeys Of(DelegatedTarget found) => new(
        found.Role.Name,
        new EquatableList<TufKey>(found.Role.Keys.KeyIds.Select(id => found.Keys[id])),
        found.Role.Keys.Threshold);
}
