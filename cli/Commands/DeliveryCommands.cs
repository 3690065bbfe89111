using System.CommandLine;
using AtymSecure.Container.Artifact;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Ota.Bundles;
using AtymSecure.Ota.Compilation;
using AtymSecure.Signer.Keys;

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
        var counter = new Option<ulong?>("--security-counter") { Description = "Anti-rollback counter (default: from the SemVer, major·2^32 + minor·2^16 + patch)" };
        var command = new Command("bundle", "Cut a signed full or delta bundle of a container for a device class") { reference, DeviceClassOption, from, key, output, expires, counter };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var deviceClass = DeviceClassTable.Get(result.GetValue(DeviceClassOption)!);
            var (target, config, manifest) = await CompileForAsync(result.GetValue(reference)!, deviceClass, result, ct).ConfigureAwait(false);
            ReadOnlyMemory<byte>? baseImage = result.GetValue(from) is { } old ? (await CompileForAsync(old, deviceClass, result, ct).ConfigureAwait(false)).Image : null;
            var keys = new List<SoftwareSigningKey>();
            foreach (var path in result.GetValue(key)!) keys.Add(await PrivateKeyFile.LoadAsync(path, PassphraseSource.FromEnvironment(), ct).ConfigureAwait(false));
            var version = config.Config.Version ?? throw new ArgumentException("the container config has no version");
            var profile = DeviceClassCompilationProfiles.For(deviceClass);
            var built = await BundleBuilder.WriteFileAsync(result.GetValue(output)!, new BundleTarget
            {
                ContainerName = config.Config.Name,
                ContainerVersion = version.ToString(),
                SecurityCounter = result.GetValue(counter) ?? (version.Major << 32) + (version.Minor << 16) + version.Patch,
                DeviceClass = deviceClass.Name,
                TargetTriple = profile.CompilerTriple,
                ArtifactKind = ArtifactKindOf(profile, deviceClass),
                TargetImage = target,
                Expires = DateTimeOffset.UtcNow + result.GetValue(expires),
                Created = DateTimeOffset.UtcNow,
                SourceManifestDigest = manifest.Digest.ToString(),
                ChunkSize = deviceClass.IsMicrocontroller ? 4096u : 65536u,
            }, baseImage, keys, ct).ConfigureAwait(false);
            foreach (var k in keys) k.Dispose();
            var h = built.Header;
            Console.WriteLine($"Wrote {result.GetValue(output)}: {h.ContainerName} {h.ContainerVersion} for {h.DeviceClass}, " +
                $"{h.PayloadKind} ({h.Codec}), payload {h.PayloadLength} bytes for a {h.TargetSize}-byte image, {h.ChunkCount} chunks");
            if (built.Choice is { } choice)
                foreach (var c in choice.Candidates) Console.WriteLine($"  candidate {c.Name}: {c.Patch.Length} bytes{(c.Verified ? "" : $" REJECTED ({c.Failure})")}");
            return 0;
        });
        return command;
    }

    private static ArtifactKind ArtifactKindOf(DeviceClassCompilationProfile profile, DeviceClass deviceClass) => profile.BackEnd switch
    {
        AotBackEndKind.Wasm2c => ArtifactKind.Wasm2cObject,
        _ when deviceClass.Isa == Isa.Pulley64 => ArtifactKind.WasmtimePulley,
        _ => ArtifactKind.WasmtimeNative,
    };

    /// <summary>The compiled image of a container for a device class (the same compiler the OTA server uses; outputs are deterministic).</summary>
    private static async Task<(ReadOnlyMemory<byte> Image, ContainerArtifact Config, Descriptor Manifest)> CompileForAsync(
        string text, DeviceClass deviceClass, ParseResult result, CancellationToken ct)
    {
        var repository = CommonOptions.OpenRepository(text, result, out var tag);
        var manifest = await repository.ResolveAsync(tag, ct).ConfigureAwait(false);
        var container = await ContainerArtifactReader.ReadAsync(repository, manifest, ct).ConfigureAwait(false);
        if (container.Config.Targets.Count > 0 && !container.Config.Targets.Contains(deviceClass.Name, StringComparer.Ordinal))
            throw new AotTargetNotSupportedException($"container {text} targets {string.Join(", ", container.Config.Targets)}, not '{deviceClass.Name}'");
        var compiled = await AotCompilerRegistry.CompileAsync(container.ModuleBytes, deviceClass, ct).ConfigureAwait(false);
        return (compiled.Bytes, container, manifest);
    }
}
