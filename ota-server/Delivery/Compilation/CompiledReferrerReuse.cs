using System.Text.Json;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Oci;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// Reuses the compiled output <c>atym compile</c> attached to a container (a referrer found by the class's
/// compilation key, <see cref="CompiledArtifactPublisher.FindAsync"/>) instead of compiling again — only after
/// verifying it, so a referrer planted by anyone who can write to the registry cannot poison a bundle:
/// <list type="bullet">
/// <item>the output manifest carries a signature and an SLSA provenance attestation that verify under a trusted
/// compiler key (signer/Verification);</item>
/// <item>the provenance is ours (<see cref="CompiledArtifactProvenance.BuildType"/>) and its recipe and dependencies name
/// this container's manifest and source Wasm digest, this class and its key digest;</item>
/// <item>the manifest's subject is the container, its one layer has the recipe's output digest, media type and size.</item>
/// </list>
/// Anything else is ignored (<see cref="Observer"/> hears why) and the inner compiler compiles afresh.
/// </summary>
public sealed class CompiledReferrerReuse : IContainerCompiler
{
    /// <summary>Largest compiled output fetched (the device-side bound of an artifact).</summary>
    public const long MaxOutputBytes = 64L * 1024 * 1024;

    /// <summary>Most candidate referrers examined; a registry could list thousands to slow a cut down.</summary>
    public const int MaxCandidates = 16;

    private readonly IContainerCompiler _compiler;
    private readonly TrustedKeys _compilerKeys;

    /// <param name="compiler">Compiles when no attached output verifies.</param>
    /// <param name="compilerKeys">Keys trusted to sign compiled outputs (the compiler role).</param>
    public CompiledReferrerReuse(IContainerCompiler compiler, TrustedKeys compilerKeys)
    {
        _compiler = compiler ?? throw new ArgumentNullException(nameof(compiler));
        _compilerKeys = compilerKeys ?? throw new ArgumentNullException(nameof(compilerKeys));
    }

    /// <summary>Told what happened to each candidate: reused, or ignored and why.</summary>
    public Action<string>? Observer { get; init; }

    public async Task<CompiledArtifact> CompileAsync(StoredContainer container, DeviceClass deviceClass, CancellationToken ct) =>
        (await FindVerifiedAsync(container, deviceClass, ct).ConfigureAwait(false))?.Artifact
        ?? await _compiler.CompileAsync(container, deviceClass, ct).ConfigureAwait(false);

    /// <summary>
    /// The first attached output for the class that verifies, with the referrer it came from, or null when none does
    /// (the OTA server's import uses it to attach an output only once, however often an import is retried).
    /// </summary>
    public async Task<ReusedCompiledOutput?> FindVerifiedAsync(StoredContainer container, DeviceClass deviceClass, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(deviceClass);
        var key = CompilationKey.ForDeviceClass(deviceClass);
        var candidates = await CompiledArtifactPublisher.FindAsync(container.Store, container.Artifact.ManifestDescriptor, deviceClass.Name, key, ct)
            .ConfigureAwait(false);
        foreach (var candidate in candidates.Take(MaxCandidates))
        {
            try
            {
                var reused = await VerifyAsync(container, candidate, deviceClass, key, ct).ConfigureAwait(false);
                Observer?.Invoke($"reused compiled output {reused.Digest} (referrer {candidate.Digest}, key {key.Digest})");
                return new ReusedCompiledOutput(reused, candidate);
            }
            catch (Exception e) when (e is OciException or FormatException or SignatureVerificationException or JsonException)
            {
                Observer?.Invoke($"ignored compiled-output referrer {candidate.Digest}: {e.Message}");
            }
        }
        return null;
    }

    private async Task<CompiledArtifact> VerifyAsync(StoredContainer container, Descriptor candidate, DeviceClass deviceClass, CompilationKey key,
        CancellationToken ct)
    {
        var subject = container.Artifact.ManifestDescriptor;
        var report = await ArtifactVerifier.VerifyAsync(container.Store, candidate.Digest.ToString(), _compilerKeys,
            new VerifyOptions { IncludeLegacyCosign = false }, ct).ConfigureAwait(false);
        var verified = report.Results.Where(r => r.IsVerified).Select(r => r.Verified!).ToList();
        if (!verified.Any(v => v.PredicateType == Statements.CosignSignPredicateType || v.Content == BundleContent.MessageSignature))
        {
            report.ThrowIfNotVerified(); // names the failure when nothing verified at all
            throw new UntrustedKeyException("no signature by a trusted compiler key; only attestations verified");
        }
        var provenance = verified.FirstOrDefault(v => v.PredicateType == SlsaProvenance.PredicateType)?.Statement?.Predicate
            ?? throw new UntrustedKeyException("no SLSA provenance verifies under a trusted compiler key");
        var recipe = RecipeNamingTheSource(SlsaProvenance.Parse(JsonSerializer.SerializeToUtf8Bytes(provenance)), subject, container, deviceClass, key);

        var manifest = OciJson.Deserialize<ImageManifest>(await container.Store.FetchAllAsync(candidate, OciJson.MaxManifestBytes, ct).ConfigureAwait(false));
        if (manifest.Subject?.Digest != subject.Digest)
            throw new FormatException($"its subject is {manifest.Subject?.Digest.ToString() ?? "(none)"}, not the container {subject.Digest}");
        if (manifest.Layers is not [var layer])
            throw new FormatException($"it has {manifest.Layers.Count} layers, not one");
        if (layer.Digest.ToString() != recipe.Output.Digest || layer.Size != recipe.Output.Size || layer.MediaType != AotMediaTypes.For(key.BackEnd))
            throw new FormatException($"its layer ({layer.MediaType}, {layer.Digest}, {layer.Size} bytes) is not the output the provenance names ({recipe.Output.Digest})");
        if (layer.Size > MaxOutputBytes)
            throw new FormatException($"its output is {layer.Size} bytes, limit {MaxOutputBytes}");
        var bytes = await container.Store.FetchAllAsync(layer, MaxOutputBytes, ct).ConfigureAwait(false);
        return new CompiledArtifact(bytes, recipe);
    }

    /// <summary>The recipe inside the provenance, after checking it names exactly this container, source, class and key.</summary>
    private static CompilationRecipe RecipeNamingTheSource(SlsaProvenance provenance, Descriptor subject, StoredContainer container,
        DeviceClass deviceClass, CompilationKey key)
    {
        var build = provenance.BuildDefinition!;
        if (build.BuildType != CompiledArtifactProvenance.BuildType)
            throw new FormatException($"its provenance has build type '{build.BuildType}', not {CompiledArtifactProvenance.BuildType}");
        if (build.InternalParameters is not { ValueKind: JsonValueKind.Object } parameters)
            throw new FormatException("its provenance carries no recipe");
        var recipe = CompilationRecipe.Parse(JsonSerializer.SerializeToUtf8Bytes(parameters));
        var source = container.Artifact.ModuleDescriptor.Digest.ToString();
        if (recipe.Source.Digest != source)
            throw new FormatException($"its provenance was compiled from Wasm {recipe.Source.Digest}, not this container's module {source}");
        if (recipe.KeyDigest != key.Digest || recipe.DeviceClass != deviceClass.Name)
            throw new FormatException($"its provenance is for class '{recipe.DeviceClass}' key {recipe.KeyDigest}, not '{deviceClass.Name}' key {key.Digest}");
        if (!Names(build, "module.wasm", source) || !Names(build, "container-manifest", subject.Digest.ToString()))
            throw new FormatException($"its provenance's dependencies do not name module.wasm {source} and container-manifest {subject.Digest}");
        return recipe;
    }

    private static bool Names(SlsaBuildDefinition build, string name, string digest)
    {
        var parsed = Digest.Parse(digest);
        return (build.ResolvedDependencies ?? []).Any(d =>
            d.Name == name && d.Digest is { } all && all.TryGetValue(parsed.Algorithm, out var value) && value == parsed.Encoded);
    }
}

/// <summary>A verified compiled output found attached to a container, and the referrer manifest that carries it.</summary>
public sealed record ReusedCompiledOutput(CompiledArtifact Artifact, Descriptor Referrer);
