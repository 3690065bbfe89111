using AtymSecure.Container.Build;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Wasm;
using AtymSecure.Oci;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Container.Artifact;

/// <summary>
/// Reads a container from OCI content (a layout folder, a registry, memory) and checks everything at once:
/// manifest shape (Wasm config media type, exactly one <c>application/wasm</c> layer, at most one Atym config
/// layer, every other layer a named blob), the Wasm config's <c>layerDigests</c>, the module's structure, the
/// container config and its agreement with the blob layers, and the module against the config (imports,
/// exports, memory). Every blob read is size-bounded and digest-verified by the fetcher.
/// </summary>
public static class ContainerArtifactReader
{
    public static async Task<ContainerArtifact> ReadAsync(IFetcher fetcher, Descriptor manifestDescriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(manifestDescriptor);
        var bytes = await fetcher.FetchAllAsync(manifestDescriptor, OciJson.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(fetcher, manifestDescriptor, bytes, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<ContainerArtifact> ReadAsync(IFetcher fetcher, Descriptor manifestDescriptor, byte[] manifestBytes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ImageManifest manifest;
        try
        {
            manifest = OciJson.Deserialize<ImageManifest>(manifestBytes);
        }
        catch (InvalidManifestException e)
        {
            throw new ContainerArtifactException([.. e.Problems.Select(p => p with { Path = Under("manifest", p.Path) })]);
        }
        var problems = new List<Problem>();
        void Add(string code, string path, string message) => problems.Add(new Problem(code, path, message));
        if (manifest.Config.MediaType != ContainerMediaTypes.WasmConfig)
            Add(ArtifactProblemCodes.WrongConfigMediaType, "manifest.config.mediaType", $"'{manifest.Config.MediaType}' is not {ContainerMediaTypes.WasmConfig}");
        var modules = Layers(manifest, ContainerMediaTypes.WasmLayer);
        if (modules.Count != 1)
            Add(ArtifactProblemCodes.ModuleLayerCount, "manifest.layers", $"manifest has {modules.Count} {ContainerMediaTypes.WasmLayer} layers; exactly one is required");
        var configs = Layers(manifest, ContainerMediaTypes.ContainerConfig);
        if (configs.Count > 1)
            Add(ArtifactProblemCodes.ConfigLayerCount, "manifest.layers", $"manifest has {configs.Count} {ContainerMediaTypes.ContainerConfig} layers; at most one is allowed");
        var blobLayers = new Dictionary<string, (int Index, Descriptor Layer)>(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Layers.Count; i++)
        {
            var layer = manifest.Layers[i];
            if (layer.MediaType is ContainerMediaTypes.WasmLayer or ContainerMediaTypes.ContainerConfig) continue;
            var name = layer.Annotations?.GetValueOrDefault(ContainerMediaTypes.BlobNameAnnotation);
            var at = $"manifest.layers[{i}].annotations";
            if (name is null) Add(ArtifactProblemCodes.UnnamedBlob, at, $"layer ({layer.MediaType}) has no {ContainerMediaTypes.BlobNameAnnotation} annotation");
            else if (Capability.CheckName(name) is { } error) Add(ConfigProblemCodes.InvalidBlobName, at, $"blob name: {error}");
            else if (!blobLayers.TryAdd(name, (i, layer))) Add(ArtifactProblemCodes.DuplicateBlob, at, $"blob name '{name}' is used twice");
        }
        if (problems.Count > 0) throw new ContainerArtifactException(problems);

        var wasmConfig = await ReadWasmConfigAsync(fetcher, manifest, problems, cancellationToken).ConfigureAwait(false);
        var moduleDescriptor = modules[0];
        var moduleBytes = await FetchAsync(fetcher, moduleDescriptor, WasmLimits.Default.MaxModuleBytes, "module", "module", problems, cancellationToken).ConfigureAwait(false);
        WasmModule? module = null;
        if (moduleBytes is not null)
        {
            try { module = WasmModuleParser.Parse(moduleBytes); }
            catch (WasmFormatException e) { Add(ArtifactProblemCodes.InvalidModule, "module", e.Message); }
        }

        ContainerConfig? config = null;
        if (configs.Count == 1)
        {
            var configBytes = await FetchAsync(fetcher, configs[0], ContainerConfigJson.MaxBytes, "container config", "containerConfig", problems, cancellationToken).ConfigureAwait(false);
            if (configBytes is not null)
            {
                try { config = ContainerConfigJson.Parse(configBytes); }
                catch (ContainerConfigException e) { problems.AddRange(e.Problems.Select(x => x with { Path = Under("containerConfig", x.Path) })); }
            }
        }
        else if (module is not null)
        {
            config = ForeignImageDefaults.Derive(manifest, module);
        }

        var blobs = new SortedDictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        if (config is not null)
        {
            CheckBlobAgreement(config, blobLayers, problems);
            if (module is not null)
                problems.AddRange(ModuleCompatibility.Check(module, config).Select(p => p with { Message = $"module vs config: {p.Message}" }));
        }
        foreach (var (name, (_, layer)) in blobLayers)
        {
            var content = await FetchAsync(fetcher, layer, ContainerConfigValidator.MaxBlobBytes, $"blob '{name}'", $"blobs['{name}']", problems, cancellationToken).ConfigureAwait(false);
            if (content is not null) blobs[name] = content;
        }
        if (problems.Count > 0) throw new ContainerArtifactException(problems);
        return new ContainerArtifact
        {
            ManifestDescriptor = manifestDescriptor,
            Manifest = manifest,
            WasmConfig = wasmConfig!,
            ModuleDescriptor = moduleDescriptor,
            ModuleBytes = moduleBytes!,
            Module = module!,
            Config = config!,
            HasAtymConfig = configs.Count == 1,
            Blobs = blobs,
        };
    }

    private static List<Descriptor> Layers(ImageManifest manifest, string mediaType) =>
        [.. manifest.Layers.Where(l => l.MediaType == mediaType)];

    /// <summary>A part's own path (<c>$.os</c>, <c>$</c>) under the name of the part (<c>wasmConfig.os</c>, <c>wasmConfig</c>).</summary>
    private static string Under(string part, string path) =>
        path == "$" ? part : path.StartsWith("$.", StringComparison.Ordinal) ? part + path[1..] : path.StartsWith("$[", StringComparison.Ordinal) ? part + path[1..] : $"{part}.{path}";

    private static async Task<WasmArtifactConfig?> ReadWasmConfigAsync(IFetcher fetcher, ImageManifest manifest, List<Problem> problems, CancellationToken ct)
    {
        var bytes = await FetchAsync(fetcher, manifest.Config, WasmArtifactConfig.MaxBytes, "wasm config", "wasmConfig", problems, ct).ConfigureAwait(false);
        if (bytes is null) return null;
        try
        {
            var config = WasmArtifactConfig.Parse(bytes);
            if (config.Os == WasmArtifactConfig.ComponentOs)
                problems.Add(new(ArtifactProblemCodes.ComponentNotSupported, "wasmConfig.os", "'wasip2' (a component) is not supported; Atym runs core modules (wasip1)"));
            var expected = manifest.Layers.Select(l => l.Digest.ToString()).ToList();
            if (!config.LayerDigests.SequenceEqual(expected))
                problems.Add(new(ArtifactProblemCodes.LayerDigestsMismatch, "wasmConfig.layerDigests",
                    $"[{string.Join(", ", config.LayerDigests)}] differ from the manifest layers [{string.Join(", ", expected)}]"));
            return config;
        }
        catch (ContainerConfigException e)
        {
            problems.AddRange(e.Problems.Select(x => x with { Path = Under("wasmConfig", x.Path) }));
            return null;
        }
    }

    private static void CheckBlobAgreement(ContainerConfig config, Dictionary<string, (int Index, Descriptor Layer)> layers, List<Problem> problems)
    {
        foreach (var declared in config.Blobs)
        {
            if (!layers.TryGetValue(declared.Name, out var found))
                problems.Add(new(ArtifactProblemCodes.BlobMissing, $"blobs['{declared.Name}']", $"container config declares blob '{declared.Name}' but no layer carries it"));
            else if (found.Layer.Digest.ToString() != declared.Digest || found.Layer.Size != declared.Size)
                problems.Add(new(ArtifactProblemCodes.BlobMismatch, $"blobs['{declared.Name}']",
                    $"layer {found.Layer.Digest} ({found.Layer.Size} bytes) differs from the config ({declared.Digest}, {declared.Size} bytes)"));
        }
        foreach (var (name, (index, _)) in layers.Where(l => !config.Blobs.Any(b => b.Name == l.Key)))
            problems.Add(new(ArtifactProblemCodes.UndeclaredBlob, $"manifest.layers[{index}]", $"layer blob '{name}' is not declared in the container config"));
    }

    private static async Task<byte[]?> FetchAsync(IFetcher fetcher, Descriptor descriptor, long maxBytes, string what, string path, List<Problem> problems, CancellationToken ct)
    {
        if (descriptor.Size > maxBytes)
        {
            problems.Add(new(ArtifactProblemCodes.TooLarge, path, $"{what} is {descriptor.Size} bytes, limit {maxBytes}"));
            return null;
        }
        try
        {
            return await fetcher.FetchAllAsync(descriptor, maxBytes, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OciException or IOException or FormatException)
        {
            problems.Add(new(ArtifactProblemCodes.FetchFailed, path, $"{what} ({descriptor.Digest}): {e.Message}"));
            return null;
        }
    }
}
