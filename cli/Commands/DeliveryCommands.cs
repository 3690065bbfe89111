using System.CommandLine;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Bundles;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Formats.Crypto;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;

namespace AtymSecure.Cli.Commands;

/// <summary><c>atym compile|bundle</c>: per-device-class AoT outputs and signed (delta) bundles — the OTA server's own code path.</summary>
internal static class DeliveryCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Compile();
        yield return Bundle();
    }

    private static readonly Option<string> DeviceClassOption = new("--device-class", "-d")
    {
        Description = "One of: " + string.Join(", ", DeviceClassTable.Names),
        Required = true,
    };

    private static Command Compile()
    {
        var reference = new Argument<string>("reference") { Description = "host/repo:tag of the container" };
        var key = new Option<string?>("--key", "-k") { Description = "Sign the output and its provenance (passphrase from ATYM_KEY_PASSPHRASE)" };
        var command = new Command("compile", "Compile a container ahead of time for a device class and attach the output as a referrer") { reference, DeviceClassOption, key };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var repository = CommonOptions.OpenRepository(result.GetValue(reference)!, result, out var tag);
            using var signingKey = result.GetValue(key) is { } path ? await PrivateKeyFile.LoadAsync(path, PassphraseSource.FromEnvironment(), ct).ConfigureAwait(false) : null;
            var compiled = await ContainerAotCompilation.CompileAndPublishAsync(repository, tag, result.GetValue(DeviceClassOption)!, signingKey, repository.Name, ct)
                .ConfigureAwait(false);
            Console.WriteLine($"Compiled {compiled.Container.Digest} for {result.GetValue(DeviceClassOption)} ({compiled.Artifact.Recipe.Key.BackEnd}, {compiled.Artifact.Bytes.Length} bytes)");
            Console.WriteLine($"Output:   {compiled.Artifact.Digest}\nReferrer: {compiled.Published.Manifest.Digest}" +
                (compiled.Published.Signature is null ? " (unsigned: no --key)" : $"\nSigned, provenance {compiled.Published.Provenance?.Referrer.Digest}"));
            return 0;
        });
        return command;
    }

    private static Command Bundle()
    {
        var reference = new Argument<string>("reference") { Description = "host/repo:tag of the target container version" };
        var from = new Option<string?>("--from") { Description = "host/repo:tag of the version the device runs (cuts a delta)" };
        var key = new Option<string[]>("--key", "-k") { Description = "Signing key (repeatable; passphrase from ATYM_KEY_PASSPHRASE)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Bundle file to write", Required = true };
        var expires = new Option<TimeSpan>("--expires-in") { Description = "Validity of the bundle", DefaultValueFactory = _ => TimeSpan.FromDays(30) };
        var counter = new Option<ulong?>("--security-counter") { Description = "Security counter (default: from the SemVer in precedence order, pre-releases below their release; docs/bundle-format.md#default-security-counter)" };
        var grant = new Option<string[]>("--grant") { Description = "Capability the deployment grants (repeatable; default: exactly the config's permissions; never more than those)" };
        var trust = new Option<string[]>("--trust") { Description = "Public key whose signature on the container (and on --from) is required before cutting (repeatable)", Required = true };
        var recovery = new Option<bool>("--recovery")
        {
            Description = "Cut a recovery bundle: the one install a device in recovery accepts; sign it with a recovery key (plus the compiler key for native code)",
        };
        var command = new Command("bundle", "Verify a container's signature, then cut a signed full or delta bundle of it for a device class")
        {
            reference, DeviceClassOption, from, key, trust, output, expires, counter, grant, recovery,
        };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var deviceClass = DeviceClassTable.Get(result.GetValue(DeviceClassOption)!);
            var grants = result.GetValue(grant) is { Length: > 0 } texts ? texts.Select(Capability.Parse).ToList() : null;
            var targetRepository = CommonOptions.OpenRepository(result.GetValue(reference)!, result, out var tag);
            var target = ContainerSource.In(targetRepository, tag, $"{targetRepository.Registry}/{targetRepository.Name}");
            ContainerSource? baseVersion = null;
            if (result.GetValue(from) is { } old)
            {
                var baseRepository = CommonOptions.OpenRepository(old, result, out var oldTag);
                baseVersion = ContainerSource.In(baseRepository, oldTag, $"{baseRepository.Registry}/{baseRepository.Name}");
            }
            var trusted = TrustedKeys.LoadFiles(result.GetValue(trust)!);
            var keys = new List<SoftwareSigningKey>();
            try
            {
                foreach (var path in result.GetValue(key)!) keys.Add(await PrivateKeyFile.LoadAsync(path, PassphraseSource.FromEnvironment(), ct).ConfigureAwait(false));
                // Outputs `atym compile --key` attached are reused when signed by a key that signs this bundle (the compiler role).
                var compiler = new CompiledReferrerReuse(HostAotCompiler.Instance, new TrustedKeys(keys.Select(k => VerificationKey.FromDer(k.PublicKeySpki.Span))))
                {
                    Observer = line => Console.WriteLine("  " + line),
                };
                var built = await new ContainerBundleCutter(compiler, trusted).CutAsync(target, baseVersion, deviceClass, grants, keys, new ContainerBundleOptions
                {
                    Expires = DateTimeOffset.UtcNow + result.GetValue(expires),
                    SecurityCounter = result.GetValue(counter),
                    Recovery = result.GetValue(recovery),
                }, ct).ConfigureAwait(false);
                await built.Bundle.WriteFileAsync(result.GetValue(output)!, ct).ConfigureAwait(false);
                var h = built.Header;
                Console.WriteLine($"Wrote {result.GetValue(output)}: {(h.Recovery ? "RECOVERY bundle of " : "")}{h.ContainerName} {h.ContainerVersion} for {h.DeviceClass}, " +
                    $"{h.PayloadKind} ({h.Codec}), payload {h.PayloadLength} bytes for a {h.TargetSize}-byte image, {h.ChunkCount} chunks");
                Console.WriteLine(h.ImageFormat == ImageFormat.ContainerImageV1
                    ? $"  container image: {h.ArtifactKind} code, grants [{string.Join(", ", built.Grants)}]"
                    : $"  raw {h.ArtifactKind} (linked into firmware; carries no config or grants)");
                if (built.Choice is { } choice)
                    foreach (var c in choice.Candidates) Console.WriteLine($"  candidate {c.Name}: {c.Patch.Length} bytes{(c.Verified ? "" : $" REJECTED ({c.Failure})")}");
            }
            finally
            {
                foreach (var k in keys) k.Dispose();
            }
            return 0;
        });
        return command;
    }
}
