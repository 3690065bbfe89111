using System.CommandLine;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Policies.Delegations;
using AtymSecure.Policies.Keys;
using AtymSecure.Policies.Loading;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Status;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Cli.Commands;

/// <summary>
/// <c>atym tuf init|add-delegation|delegations|rotate-root|sign|status</c>: the offline half of the TUF image repository and the
/// director (docs/update-metadata.md §7). Keys are encrypted files in the working folder (<c>--dir</c>, passphrase
/// from ATYM_KEY_PASSPHRASE); the files it writes are uploaded with <c>PUT /api/v1/tuf/…</c>.
/// </summary>
internal static class TufCommands
{
    private static readonly Option<string> Dir = new("--dir") { Description = "The offline working folder (keys/, image/, director/)", DefaultValueFactory = _ => ".atym-tuf" };
    private static readonly Option<string> OnlineKeys = new("--online-keys") { Description = "Folder with the server's online public keys (DATA/tuf/keys/*.pub)" };

    public static Command Create()
    {
        var tuf = new Command("tuf", "Offline keys and metadata of the TUF image repository and the Uptane director");
        tuf.Subcommands.Add(Init());
        tuf.Subcommands.Add(AddDelegation());
        tuf.Subcommands.Add(DelegationsFromPolicy());
        tuf.Subcommands.Add(RotateRoot());
        tuf.Subcommands.Add(Sign());
        tuf.Subcommands.Add(Status());
        return tuf;
    }

    private static OfflineRepository Open(ParseResult result) =>
        new(result.GetValue(Dir)!, PassphraseSource.FromEnvironment(), TimeProvider.System);

    private static string RequireOnlineKeys(ParseResult result) =>
        result.GetValue(OnlineKeys) ?? throw new ArgumentException("--online-keys is required: the server's DATA/tuf/keys folder (or a copy of its *.pub files)");

    private static Command Init()
    {
        var algorithm = new Option<string>("--algorithm", "-a") { Description = "ecdsa-p256 (default) or ed25519", DefaultValueFactory = _ => "ecdsa-p256" };
        var command = new Command("init", "Make the offline keys and sign image root 1, top-level targets 1 and director root 1") { Dir, OnlineKeys, algorithm };
        command.SetAction(async (result, ct) =>
        {
            if (!SignatureAlgorithmNames.TryParseShortName(result.GetValue(algorithm), out var alg))
                throw new ArgumentException($"unknown algorithm '{result.GetValue(algorithm)}' (ecdsa-p256 or ed25519)");
            foreach (var file in await Open(result).InitAsync(RequireOnlineKeys(result), alg, ct).ConfigureAwait(false)) Console.WriteLine($"Signed {file}");
            return 0;
        });
        return command;
    }

    private static Command AddDelegation()
    {
        var vendor = new Option<string?>("--vendor") { Description = "Delegate vendor-NAME (sources/GLOB/*/module.wasm) to --key" };
        var compiler = new Option<string?>("--compiler") { Description = "Delegate compiler-CLASS (images/CLASS/*/*/*/*) to the server's compiler key" };
        var keys = new Option<string[]>("--key", "-k") { Description = "The vendor's public key file (repeatable)" };
        var threshold = new Option<int>("--threshold") { Description = "Vendor signatures required", DefaultValueFactory = _ => 1 };
        var patterns = new Option<string[]>("--pattern") { Description = "Container-name glob the vendor owns (repeatable), e.g. sensor-*" };
        var command = new Command("add-delegation", "Sign the next top-level targets with a vendor or compiler delegation added (or replaced)") { Dir, OnlineKeys, vendor, compiler, keys, threshold, patterns };
        command.SetAction(async (result, ct) =>
        {
            var repository = Open(result);
            string file;
            if (result.GetValue(vendor) is { } name && result.GetValue(compiler) is null)
            {
                var vendorKeys = (result.GetValue(keys) ?? []).Select(k => TufKey.From(VerificationKey.FromFile(k))).ToList();
                file = await repository.AddVendorAsync(name, new RoleAssignment(new EquatableList<TufKey>(vendorKeys), result.GetValue(threshold)), result.GetValue(patterns) ?? [], ct).ConfigureAwait(false);
            }
            else if (result.GetValue(compiler) is { } deviceClass && result.GetValue(vendor) is null)
            {
                file = await repository.AddCompilerAsync(deviceClass, RequireOnlineKeys(result), ct).ConfigureAwait(false);
            }
            else
            {
                throw new ArgumentException("give exactly one of --vendor NAME and --compiler CLASS");
            }
            Console.WriteLine($"Signed {file}");
            return 0;
        });
        return command;
    }

    private static Command DelegationsFromPolicy()
    {
        var policy = new Option<string>("--from-policy") { Description = "The policy folder whose trust policy says who signs which containers", Required = true };
        var keys = new Option<string?>("--keys") { Description = "Folder of the *.pub keys the trust policy names by fingerprint (default POLICY/keys)" };
        var check = new Option<bool>("--check") { Description = "Compare with the signed top-level targets in --dir (or --data); exit 2 naming each difference" };
        var apply = new Option<bool>("--apply") { Description = "Sign top-level targets N+1 in --dir with exactly these vendor delegations (compiler delegations kept)" };
        var data = new Option<string?>("--data") { Description = "With --check: the OTA server's data folder (reads DATA/tuf/image/metadata) instead of --dir" };
        var command = new Command("delegations", "The vendor delegations the trust policy implies (role, keys, threshold, paths): print, --check against the signed targets, or --apply")
            { policy, keys, check, apply, data, Dir };
        command.SetAction(async (result, ct) =>
        {
            if (result.GetValue(check) && result.GetValue(apply)) throw new ArgumentException("give at most one of --check and --apply");
            var folder = result.GetValue(policy)!;
            var loaded = PolicySetLoader.LoadFolder(folder);
            if (loaded.Set is not { } set) throw new ProblemException($"policy folder {folder}", [.. loaded.Problems]);
            var derived = PolicyDelegations.Derive(set, PolicyKeyFolder.Load(result.GetValue(keys) ?? Path.Combine(folder, "keys")));
            if (!derived.IsValid) throw new ProblemException($"vendor delegations from {folder}", [.. derived.Problems]);
            Console.Write(derived.Format());
            if (result.GetValue(check))
            {
                var image = result.GetValue(data) is { } d ? Path.Combine(d, "tuf", "image", "metadata") : Path.Combine(result.GetValue(Dir)!, "image");
                var differences = DelegationComparison.Differences(derived, SignedTopLevelTargets(image).Delegations);
                foreach (var difference in differences) Console.WriteLine($"DIFFERS: {difference}");
                Console.WriteLine(differences.Count == 0 ? $"the signed targets in {image} agree with the policy" : $"{differences.Count} difference(s) between {image} and the policy");
                return differences.Count == 0 ? 0 : 2;
            }
            if (result.GetValue(apply))
            {
                var vendors = derived.Delegations.Select(v => new VendorAssignment(v.Vendor, new RoleAssignment(v.Keys, v.Threshold), v.ContainerGlobs)).ToList();
                Console.WriteLine($"Signed {await Open(result).SetVendorsAsync(vendors, ct).ConfigureAwait(false)}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The newest top-level targets of an image repository folder, its signatures checked against the newest root there.</summary>
    private static TargetsMetadata SignedTopLevelTargets(string imageFolder)
    {
        if (!Directory.Exists(imageFolder)) throw new ArgumentException($"no image repository metadata in {imageFolder}");
        var metadata = new MetadataFolder(imageFolder);
        var root = OfflineRepository.Latest<RootMetadata>(metadata, "root") ?? throw new ArgumentException($"no root in {imageFolder}");
        var targets = OfflineRepository.Latest<TargetsMetadata>(metadata, "targets") ?? throw new ArgumentException($"no top-level targets in {imageFolder}");
        ThresholdCheck.Require(targets, root.Signed.Keys, root.Signed.Roles["targets"], "targets");
        return targets.Signed;
    }

    private static Command RotateRoot()
    {
        var repositoryName = new Option<string>("--repository") { Description = "image or director", DefaultValueFactory = _ => "image" };
        var newRoot = new Option<bool>("--new-root-key") { Description = "Replace the root key with a new one (old and new sign this root)" };
        var newTargets = new Option<bool>("--new-targets-key") { Description = "Image repository: replace the top-level targets key with a new one" };
        var online = new Option<string[]>("--online-role") { Description = "Online role whose newest server key this root lists: snapshot, timestamp, director-targets (repeatable)" };
        var command = new Command("rotate-root", "Sign root N+1 with changed keys, by a threshold of the old root keys and of the new") { Dir, OnlineKeys, repositoryName, newRoot, newTargets, online };
        command.SetAction(async (result, ct) =>
        {
            var repository = result.GetValue(repositoryName)!;
            var file = await Open(result).RotateRootAsync(repository, async (roles, keys) =>
            {
                if (result.GetValue(newRoot))
                    roles["root"] = new RoleAssignment([await keys.GenerateAsync(keys.NextName($"{repository}-root"), SignatureAlgorithm.EcdsaP256Sha256, ct).ConfigureAwait(false)], 1);
                if (result.GetValue(newTargets))
                    roles["targets"] = new RoleAssignment([await keys.GenerateAsync(keys.NextName("image-targets"), SignatureAlgorithm.EcdsaP256Sha256, ct).ConfigureAwait(false)], 1);
                foreach (var name in result.GetValue(online) ?? [])
                {
                    if (!OnlineRoleNames.TryParse(name, out var role) || role == OnlineRole.Compiler)
                        throw new ArgumentException($"--online-role {name}: snapshot, timestamp or director-targets (compiler keys are delegated: add-delegation --compiler)");
                    roles[role == OnlineRole.DirectorTargets ? "targets" : name] = new RoleAssignment([OnlinePublicKeys.Newest(RequireOnlineKeys(result), role)], 1);
                }
            }, ct).ConfigureAwait(false);
            Console.WriteLine($"Signed {file}");
            return 0;
        });
        return command;
    }

    private static Command Sign()
    {
        var role = new Option<string>("--role") { Description = "The delegated role, e.g. vendor-acme", Required = true };
        var key = new Option<string[]>("--key", "-k") { Description = "Private key file of the role (repeatable, for a threshold)", Required = true };
        var add = new Option<string[]>("--add") { Description = "TARGET=FILE: list FILE at TARGET (sources/CONTAINER/VERSION/module.wasm), repeatable" };
        var previous = new Option<string?>("--previous") { Description = "The role's published file: its targets are kept and the version goes up by one" };
        var days = new Option<int>("--expires-days") { Description = "Days until the listing expires", DefaultValueFactory = _ => 180 };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the signed file", Required = true };
        var command = new Command("sign", "Sign a delegated targets file offline (a vendor's source listing) for upload") { role, key, add, previous, days, output };
        command.SetAction(async (result, ct) =>
        {
            var before = result.GetValue(previous) is { } p ? SignedMetadata<TargetsMetadata>.Parse(await File.ReadAllBytesAsync(p, ct).ConfigureAwait(false)).Signed : null;
            var targets = before?.Targets ?? EquatableMap<TargetFile>.Empty;
            foreach (var entry in result.GetValue(add) ?? [])
            {
                var eq = entry.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new ArgumentException($"--add {entry}: expected TARGET=FILE");
                var path = entry[..eq];
                if (!MetadataNames.IsTargetPath(path)) throw new ArgumentException($"--add {entry}: '{path}' is not a target path");
                targets = targets.SetItem(path, TargetFile.Describe(await File.ReadAllBytesAsync(entry[(eq + 1)..], ct).ConfigureAwait(false)));
            }
            var document = new TargetsMetadata { Version = (before?.Version ?? 0) + 1, Expires = DateTimeOffset.UtcNow.AddDays(result.GetValue(days)), Targets = targets };
            var signers = new List<OfflineMetadataSigner>();
            try
            {
                foreach (var file in result.GetValue(key)!)
                    signers.Add(new OfflineMetadataSigner(await PrivateKeyFile.LoadAsync(file, PassphraseSource.FromEnvironment(), ct).ConfigureAwait(false)));
                var signed = MetadataSigning.Sign(document, signers);
                await AtomicFile.WriteAsync(result.GetValue(output)!, signed.ToBytes(), cancellationToken: ct).ConfigureAwait(false);
            }
            finally
            {
                foreach (var s in signers) s.Dispose();
            }
            Console.WriteLine($"Signed {result.GetValue(role)} version {document.Version} ({targets.Count} targets): {result.GetValue(output)} — upload to PUT /api/v1/tuf/image/delegations/{result.GetValue(role)}");
            return 0;
        });
        return command;
    }

    private static Command Status()
    {
        var data = new Option<string?>("--data") { Description = "The OTA server's data folder (reads DATA/tuf); without it, the offline --dir" };
        var command = new Command("status", "Every role's version and expiry: warnings 30 d before offline roles expire, alarms when online roles have < 25 % life left") { Dir, data, CommonOptions.Json };
        command.SetAction((result, _) =>
        {
            var (image, director) = result.GetValue(data) is { } d
                ? (Path.Combine(d, "tuf", "image", "metadata"), Path.Combine(d, "tuf", "director", "metadata"))
                : (Path.Combine(result.GetValue(Dir)!, "image"), Path.Combine(result.GetValue(Dir)!, "director"));
            if (!Directory.Exists(image)) throw new ArgumentException($"no image repository metadata in {image}");
            var published = PublishedImageRepository.Load(new MetadataFolder(image));
            var directorRoot = Directory.Exists(director) ? OfflineRepository.Latest<RootMetadata>(new MetadataFolder(director), "root") : null;
            var report = ExpiryReport.Of(published, directorRoot, ImageRepositoryOptions.Default, DateTimeOffset.UtcNow);
            foreach (var role in report)
            {
                var mark = role.Level switch
                {
                    ExpiryLevel.Warning => "WARNING: sign a new version offline",
                    ExpiryLevel.Alarm => "ALARM: re-signing has stopped",
                    ExpiryLevel.Expired => "EXPIRED",
                    _ => "ok",
                };
                Console.WriteLine(result.GetValue(CommonOptions.Json)
                    ? System.Text.Json.JsonSerializer.Serialize(new { role.Repository, role.Role, role.Version, expires = RoleMetadata.FormatTime(role.Expires), role.Online, daysLeft = Math.Round(role.Left.TotalDays, 2), level = role.Level.ToString().ToLowerInvariant() })
                    : $"{role.Repository,-9} {role.Role,-26} v{role.Version,-5} {(role.Online ? "online " : "offline")} expires {RoleMetadata.FormatTime(role.Expires)} ({role.Left.TotalDays:0.0} d left)  {mark}");
            }
            return Task.FromResult(report.Any(r => r.Level != ExpiryLevel.Ok) ? 2 : 0);
        });
        return command;
    }
}
