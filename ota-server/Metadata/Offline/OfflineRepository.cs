using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;

namespace AtymSecure.OtaMetadata.Offline;

/// <summary>
/// The operator's offline working folder behind <c>atym tuf</c>: <c>keys/</c> (<see cref="OfflineKeyRing"/>),
/// <c>image/</c> (the image root chain and top-level targets versions) and <c>director/</c> (the director root chain),
/// each a <see cref="MetadataFolder"/> whose new files are what the operator uploads (<c>PUT /api/v1/tuf/…</c>).
/// Root and targets keys never leave it; online keys enter only as public keys (<see cref="OnlinePublicKeys"/>).
/// Every document it signs is checked the way the server and devices check it: one key never in two roles, a root
/// N+1 signed by a threshold of root N's keys and of its own.
/// </summary>
public sealed class OfflineRepository
{
    public static readonly TimeSpan RootLife = TimeSpan.FromDays(365);
    public static readonly TimeSpan TargetsLife = TimeSpan.FromDays(90);
    public static readonly TimeSpan VendorLife = TimeSpan.FromDays(180);

    private readonly TimeProvider _clock;

    public OfflineRepository(string folder, PassphraseSource passphrase, TimeProvider clock, int keyIterations = Pkcs8Encryption.DefaultIterations)
    {
        Folder = Path.GetFullPath(folder);
        Keys = new OfflineKeyRing(Path.Combine(Folder, "keys"), passphrase, keyIterations);
        Image = new MetadataFolder(Path.Combine(Folder, "image"));
        Director = new MetadataFolder(Path.Combine(Folder, "director"));
        _clock = clock;
    }

    public string Folder { get; }

    public OfflineKeyRing Keys { get; }

    public MetadataFolder Image { get; }

    public MetadataFolder Director { get; }

    /// <summary>New offline keys (image root, image targets, director root) and the first image root, top-level targets and director root.</summary>
    public async Task<IReadOnlyList<string>> InitAsync(string onlineKeysFolder, SignatureAlgorithm algorithm, CancellationToken ct = default)
    {
        if (Image.Versions("root").Count > 0 || Director.Versions("root").Count > 0)
            throw new ProblemException("atym tuf init", new Problem("already-initialized", Folder, "this folder already holds roots: use rotate-root"));
        var now = _clock.GetUtcNow();
        var imageRoot = await Keys.GenerateAsync(Keys.NextName("image-root"), algorithm, ct).ConfigureAwait(false);
        var targets = await Keys.GenerateAsync(Keys.NextName("image-targets"), algorithm, ct).ConfigureAwait(false);
        var directorRoot = await Keys.GenerateAsync(Keys.NextName("director-root"), algorithm, ct).ConfigureAwait(false);
        var root = RootPlan.Build(1, now + RootLife, new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([imageRoot], 1),
            ["targets"] = new([targets], 1),
            ["snapshot"] = new([OnlinePublicKeys.Newest(onlineKeysFolder, OnlineRole.Snapshot)], 1),
            ["timestamp"] = new([OnlinePublicKeys.Newest(onlineKeysFolder, OnlineRole.Timestamp)], 1),
        }, consistentSnapshot: true);
        var director = RootPlan.Build(1, now + RootLife, new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([directorRoot], 1),
            ["targets"] = new([OnlinePublicKeys.Newest(onlineKeysFolder, OnlineRole.DirectorTargets)], 1),
        }, consistentSnapshot: false);
        // One key never serves two roles, across both repositories too.
        RootPlan.CheckDistinct(new Dictionary<string, RoleAssignment>(RolesOf(root).Concat(RolesOf(director).Select(r => KeyValuePair.Create("director " + r.Key, r.Value)))));
        var written = new List<string>();
        written.Add(await WriteRootAsync(Image, root, null, ct).ConfigureAwait(false));
        written.Add(await WriteRootAsync(Director, director, null, ct).ConfigureAwait(false));
        written.Add(await WriteTargetsAsync(new TargetsMetadata { Version = 1, Expires = now + TargetsLife, Targets = EquatableMap<TargetFile>.Empty }, ct).ConfigureAwait(false));
        return written;
    }

    /// <summary>Top-level targets N+1 with a vendor delegation added or replaced (its keys, container-name globs).</summary>
    public Task<string> AddVendorAsync(string vendor, RoleAssignment keys, IReadOnlyList<string> containerGlobs, CancellationToken ct = default) =>
        WriteTargetsAsync(DelegationPlan.WithVendor(NextTargets(), vendor, keys, containerGlobs), ct);

    /// <summary>Top-level targets N+1 with every vendor delegation replaced by <paramref name="vendors"/> (in order), compiler delegations kept.</summary>
    public Task<string> SetVendorsAsync(IReadOnlyList<VendorAssignment> vendors, CancellationToken ct = default) =>
        WriteTargetsAsync(DelegationPlan.WithVendors(NextTargets(), vendors), ct);

    /// <summary>Top-level targets N+1 delegating <c>compiler-CLASS</c> to the server's newest compiler key.</summary>
    public Task<string> AddCompilerAsync(string deviceClass, string onlineKeysFolder, CancellationToken ct = default) =>
        WriteTargetsAsync(DelegationPlan.WithCompiler(NextTargets(), deviceClass, new RoleAssignment([OnlinePublicKeys.Newest(onlineKeysFolder, OnlineRole.Compiler)], 1)), ct);

    /// <summary>
    /// Root N+1 of <paramref name="repository"/> (<c>image</c> or <c>director</c>) with <paramref name="change"/> applied to its
    /// role assignments, signed by the current root keys and the new ones (TUF §5.3: a threshold of both).
    /// </summary>
    public async Task<string> RotateRootAsync(string repository, Func<Dictionary<string, RoleAssignment>, OfflineKeyRing, Task> change, CancellationToken ct = default)
    {
        var folder = repository switch
        {
            "image" => Image,
            "director" => Director,
            _ => throw new ProblemException("atym tuf rotate-root", new Problem("unknown-repository", repository, "image or director")),
        };
        var current = Latest<RootMetadata>(folder, "root") ?? throw new ProblemException("atym tuf rotate-root", new Problem("not-initialized", Folder, "no root yet: atym tuf init"));
        var roles = RolesOf(current.Signed);
        await change(roles, Keys).ConfigureAwait(false);
        var next = RootPlan.Build(current.Signed.Version + 1, _clock.GetUtcNow() + RootLife, roles, current.Signed.ConsistentSnapshot);
        if (repository == "image" && Latest<RootMetadata>(Director, "root") is { } director)
            RootPlan.CheckDistinct(new Dictionary<string, RoleAssignment>(RolesOf(next).Concat(RolesOf(director.Signed).Select(r => KeyValuePair.Create("director " + r.Key, r.Value)))));
        if (repository == "director" && Latest<RootMetadata>(Image, "root") is { } image)
            RootPlan.CheckDistinct(new Dictionary<string, RoleAssignment>(RolesOf(next).Concat(RolesOf(image.Signed).Select(r => KeyValuePair.Create("image " + r.Key, r.Value)))));
        return await WriteRootAsync(folder, next, current.Signed, ct).ConfigureAwait(false);
    }

    /// <summary>The role assignments of a root, editable for a rotation.</summary>
    public static Dictionary<string, RoleAssignment> RolesOf(RootMetadata root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return root.Roles.ToDictionary(r => r.Key, r => new RoleAssignment(new EquatableList<TufKey>(r.Value.KeyIds.Select(id => root.Keys[id])), r.Value.Threshold), StringComparer.Ordinal);
    }

    private TargetsMetadata NextTargets()
    {
        var current = Latest<TargetsMetadata>(Image, "targets") ?? throw new ProblemException("atym tuf", new Problem("not-initialized", Folder, "no targets yet: atym tuf init"));
        return current.Signed with { Version = current.Signed.Version + 1, Expires = _clock.GetUtcNow() + TargetsLife };
    }

    private async Task<string> WriteTargetsAsync(TargetsMetadata targets, CancellationToken ct)
    {
        var root = Latest<RootMetadata>(Image, "root")!.Signed;
        DelegationPlan.CheckDistinct(targets, root);
        var role = root.Roles["targets"];
        var signers = await Keys.SignersFor(role.KeyIds, role.Threshold, "targets", ct).ConfigureAwait(false);
        try
        {
            var name = $"{targets.Version}.targets.json";
            Image.WriteOnce(name, MetadataSigning.Sign(targets, signers).FileBytes);
            return Path.Combine(Image.Path, name);
        }
        finally
        {
            foreach (var s in signers) s.Dispose();
        }
    }

    private async Task<string> WriteRootAsync(MetadataFolder folder, RootMetadata root, RootMetadata? previous, CancellationToken ct)
    {
        var signers = new List<OfflineMetadataSigner>();
        try
        {
            if (previous is not null) signers.AddRange(await Keys.SignersFor(previous.Roles["root"].KeyIds, previous.Roles["root"].Threshold, "root (current)", ct).ConfigureAwait(false));
            foreach (var s in await Keys.SignersFor(root.Roles["root"].KeyIds, root.Roles["root"].Threshold, "root (new)", ct).ConfigureAwait(false))
                if (signers.All(o => o.PublicKey.KeyId != s.PublicKey.KeyId)) signers.Add(s);
                else s.Dispose();
            var signed = MetadataSigning.Sign(root, signers);
            // The same checks the server and devices make, before the file exists.
            if (previous is not null) ThresholdCheck.Require(signed, previous.Keys, previous.Roles["root"], "root (current keys)");
            ThresholdCheck.Require(signed, root.Keys, root.Roles["root"], "root (new keys)");
            var name = $"{root.Version}.root.json";
            folder.WriteOnce(name, signed.FileBytes);
            return Path.Combine(folder.Path, name);
        }
        finally
        {
            foreach (var s in signers) s.Dispose();
        }
    }

    public static SignedMetadata<T>? Latest<T>(MetadataFolder folder, string role)
        where T : RoleMetadata, IRoleMetadata<T>
    {
        ArgumentNullException.ThrowIfNull(folder);
        var versions = folder.Versions(role);
        return versions.Count == 0 ? null : SignedMetadata<T>.Parse(folder.Read($"{versions[^1]}.{role}.json")!);
    }
}
