using System.Text.Json;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// Wraps a <see cref="CompilationRecipe"/> in SLSA provenance v1 (https://slsa.dev/spec/v1.0/provenance):
/// the build type is ours, external parameters are what the caller chose (device class, compilation key),
/// internal parameters are the full recipe, dependencies are the container manifest, the Wasm module and every
/// other input file by digest. Layout documented in docs/aot-compilation.md#provenance.
/// </summary>
public static class CompiledArtifactProvenance
{
    public const string BuildType = "https://atym.dev/buildtypes/aot-compile/v1";
    public const string BuilderId = "https://atym.dev/builders/atym-aot@1";

    public static SlsaProvenance Build(CompiledArtifact artifact, Descriptor containerManifest)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(containerManifest);
        var recipe = artifact.Recipe;
        var external = new Dictionary<string, object?>
        {
            ["deviceClass"] = recipe.DeviceClass,
            ["keyDigest"] = recipe.KeyDigest,
            ["triple"] = recipe.Key.Triple,
            ["backEnd"] = recipe.Key.BackEnd.ToString(),
            ["backEndVersion"] = recipe.Key.BackEndVersion,
        };
        using var recipeJson = JsonDocument.Parse(recipe.ToJsonBytes());
        var dependencies = new List<ResourceDescriptor>
        {
            Resource("container-manifest", containerManifest.Digest.ToString(), containerManifest.MediaType),
            Resource("module.wasm", recipe.Source.Digest, "application/wasm"),
        };
        dependencies.AddRange(recipe.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => Resource(i.Key, i.Value, null)));
        return new SlsaProvenance
        {
            BuildDefinition = new SlsaBuildDefinition
            {
                BuildType = BuildType,
                ExternalParameters = JsonSerializer.SerializeToElement(external),
                InternalParameters = recipeJson.RootElement.Clone(),
                ResolvedDependencies = dependencies,
            },
            RunDetails = new SlsaRunDetails
            {
                Builder = new SlsaBuilder { Id = BuilderId, Version = new SortedDictionary<string, string>(recipe.Tools.ToDictionary(), StringComparer.Ordinal) },
                Byproducts = [Resource("output", recipe.Output.Digest, recipe.Output.MediaType)],
            },
        };
    }

    private static ResourceDescriptor Resource(string name, string digest, string? mediaType)
    {
        var parsed = Digest.Parse(digest);
        return new ResourceDescriptor
        {
            Name = name,
            Digest = new Dictionary<string, string> { [parsed.Algorithm] = parsed.Encoded },
            MediaType = mediaType,
        };
    }
}
