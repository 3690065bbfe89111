using System.CommandLine;
using AtymSecure.Cli.Targets;
using AtymSecure.Formats.Crypto;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Cli.Commands;

/// <summary><c>atym keygen|sign|attest|verify</c>: keys and Sigstore bundles attached as referrers.</summary>
internal static class SigningCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return KeyGen();
        yield return Sign();
        yield return Attest();
        yield return Verify();
    }

    private static readonly Option<string> KeyFile = new("--key", "-k") { Description = "Private key file (encrypted PKCS#8 PEM; passphrase from ATYM_KEY_PASSPHRASE)", Required = true };

    private static Task<SoftwareSigningKey> LoadKeyAsync(ParseResult result, CancellationToken ct) =>
        PrivateKeyFile.LoadAsync(result.GetValue(KeyFile)!, PassphraseSource.FromEnvironment(), ct);

    private static async Task<(Repository Repository, Descriptor Manifest)> ResolveAsync(string text, ParseResult result, CancellationToken ct)
    {
        var repository = CommonOptions.OpenRepository(text, result, out var reference);
        var manifest = await repository.ResolveAsync(reference, ct).ConfigureAwait(false);
        return (repository, manifest);
    }

    private static Command KeyGen()
    {
        var prefix = new Argument<string>("prefix") { Description = "Writes PREFIX.key (encrypted) and PREFIX.pub", DefaultValueFactory = _ => "atym" };
        var algorithm = new Option<string>("--algorithm", "-a") { Description = "ecdsa-p256 (default, what cosign uses) or ed25519", DefaultValueFactory = _ => "ecdsa-p256" };
        var command = new Command("keygen", "Generate a signing key pair") { prefix, algorithm };
        command.SetAction(async (result, ct) =>
        {
            if (!SignatureAlgorithmNames.TryParseShortName(result.GetValue(algorithm), out var alg))
                throw new ArgumentException($"unknown algorithm '{result.GetValue(algorithm)}' (ecdsa-p256 or ed25519)");
            var pair = await KeyGenerator.GenerateFilesAsync(result.GetValue(prefix)!, PassphraseSource.FromEnvironment(), alg, cancellationToken: ct)
                .ConfigureAwait(false);
            Console.WriteLine($"Private key: {pair.PrivateKeyPath}\nPublic key:  {pair.PublicKeyPath}\nKey id:      {pair.KeyId}");
            return 0;
        });
        return command;
    }

    private static Command Sign()
    {
        var reference = new Argument<string>("reference") { Description = "host/repo:tag or @digest of the manifest to sign" };
        var legacy = new Option<bool>("--legacy-cosign") { Description = "Also write the cosign sha256-<hex>.sig tag layout" };
        var message = new Option<bool>("--message-signature") { Description = "Sign the manifest bytes (messageSignature bundle) instead of a DSSE statement" };
        var command = new Command("sign", "Sign a manifest: a Sigstore bundle v0.3 pushed as a referrer") { reference, KeyFile, legacy, message };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            using var key = await LoadKeyAsync(result, ct).ConfigureAwait(false);
            var (repository, manifest) = await ResolveAsync(result.GetValue(reference)!, result, ct).ConfigureAwait(false);
            var attached = await ArtifactSigner.SignAsync(repository, manifest, key, repository.Name, new SignOptions
            {
                LegacyCosign = result.GetValue(legacy),
                Content = result.GetValue(message) ? BundleContent.MessageSignature : BundleContent.DsseEnvelope,
            }, ct).ConfigureAwait(false);
            Console.WriteLine($"Signed {manifest.Digest} with key {key.KeyId}\nBundle referrer: {attached.Referrer.Digest}" +
                (attached.LegacySignature is { } sig ? $"\nLegacy cosign signature: {sig.Digest}" : ""));
            return 0;
        });
        return command;
    }

    private static Command Attest()
    {
        var reference = new Argument<string>("reference") { Description = "host/repo:tag or @digest of the manifest" };
        var kind = new Option<string>("--type") { Description = "slsa, sbom, or all", DefaultValueFactory = _ => "all" };
        var command = new Command("attest", "Attach SLSA provenance v1 and a CycloneDX SBOM as signed DSSE bundles") { reference, KeyFile, kind };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            using var key = await LoadKeyAsync(result, ct).ConfigureAwait(false);
            var (repository, manifest) = await ResolveAsync(result.GetValue(reference)!, result, ct).ConfigureAwait(false);
            var type = result.GetValue(kind)!;
            if (type is not ("slsa" or "sbom" or "all")) throw new ArgumentException($"--type must be slsa, sbom or all, not '{type}'");
            if (type is "slsa" or "all")
            {
                var node = await repository.FetchNodeAsync(manifest, ct).ConfigureAwait(false);
                var provenance = ProvenanceBuilder.Build(new BuildRecord
                {
                    BuilderId = "https://atym.dev/builders/atym-cli@1",
                    ExternalParameters = new Dictionary<string, string> { ["repository"] = repository.Name },
                    Materials = [.. node.Children.Select(c => new ResourceDescriptor
                    {
                        Name = c.Annotations?.GetValueOrDefault(AnnotationKeys.Title) ?? c.MediaType,
                        MediaType = c.MediaType,
                        Digest = new Dictionary<string, string> { [c.Digest.Algorithm] = c.Digest.Encoded },
                    })],
                });
                var slsa = await ArtifactSigner.AttestProvenanceAsync(repository, manifest, key, repository.Name, provenance, cancellationToken: ct).ConfigureAwait(false);
                Console.WriteLine($"SLSA provenance: {slsa.Referrer.Digest}");
            }
            if (type is "sbom" or "all")
            {
                var sbom = await ArtifactSigner.AttestSbomAsync(repository, manifest, key, repository.Name, cancellationToken: ct).ConfigureAwait(false);
                Console.WriteLine($"CycloneDX SBOM:  {sbom.Referrer.Digest}");
            }
            return 0;
        });
        return command;
    }

    private static Command Verify()
    {
        var reference = new Argument<string>("reference") { Description = "host/repo:tag or @digest of the manifest" };
        var keys = new Option<string[]>("--key", "-k") { Description = "Trusted public key PEM file (repeatable)", Required = true };
        var command = new Command("verify", "Verify the signatures attached to a manifest against trusted keys") { reference, keys };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var trusted = TrustedKeys.LoadFiles(result.GetValue(keys)!);
            var text = result.GetValue(reference)!;
            var repository = CommonOptions.OpenRepository(text, result, out var contentReference);
            var report = await ArtifactVerifier.VerifyAsync(repository, contentReference,
                trusted, cancellationToken: ct).ConfigureAwait(false);
            foreach (var r in report.Results) Console.WriteLine(r);
            report.ThrowIfNotVerified();
            Console.WriteLine($"Verified {report.Subject.Digest}: {report.Accepted.Count} signature(s) by trusted keys");
            return 0;
        });
        return command;
    }
}
