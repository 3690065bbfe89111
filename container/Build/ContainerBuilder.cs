using AtymSecure.Container.Project;
using AtymSecure.Formats.Wasm;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Container.Build;

/// <summary>
/// <c>atym build</c>: reads the project's module and blobs, parses the module, refuses it when its imports,
/// entrypoint, probe or memory do not fit the config (every reason at once), packs it deterministically and
/// stores it (an OCI image layout folder, or any <see cref="ITarget"/>).
/// </summary>
public static class ContainerBuilder
{
    /// <summary>Builds into the OCI layout at <paramref name="outputLayoutDir"/> (created if missing); returns the manifest descriptor.</summary>
    public static async Task<Descriptor> BuildAsync(ContainerProject project, string outputLayoutDir, BuildOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var packed = Prepare(project, options);
        var store = await OciLayoutStore.OpenAsync(outputLayoutDir, cancellationToken).ConfigureAwait(false);
        await StoreAsync(packed, store, TagFor(project, options), cancellationToken).ConfigureAwait(false);
        return packed.Manifest;
    }

    /// <summary>Builds into any target (memory store, remote repository); returns the manifest descriptor.</summary>
    public static async Task<Descriptor> BuildAsync(ContainerProject project, ITarget target, BuildOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var packed = Prepare(project, options);
        await StoreAsync(packed, target, TagFor(project, options), cancellationToken).ConfigureAwait(false);
        return packed.Manifest;
    }

    /// <summary>Reads, checks and packs without storing anything.</summary>
    public static PackedContainer Prepare(ContainerProject project, BuildOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(project);
        options ??= BuildOptions.FromEnvironment();
        var moduleBytes = ReadBounded(project.ModulePath, WasmLimits.Default.MaxModuleBytes);
        WasmModule module;
        try
        {
            module = WasmModuleParser.Parse(moduleBytes);
        }
        catch (WasmFormatException e)
        {
            throw new ContainerBuildException(BuildProblemCodes.InvalidModule, Path.GetFileName(project.ModulePath), e.Message);
        }
        var problems = ModuleCompatibility.Check(module, project.Config);
        if (problems.Count > 0) throw new ContainerBuildException(problems);

        var blobContents = project.Config.Blobs
            .Select(b => (ReadOnlyMemory<byte>)ReadBounded(project.Blobs.Single(p => p.Name == b.Name).FilePath, b.Size))
            .ToList();
        return ContainerPacker.Pack(moduleBytes, project.Config, blobContents, new PackOptions { Created = options.Created, Author = options.Author });
    }

    public static async Task StoreAsync(PackedContainer packed, ITarget target, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packed);
        ArgumentNullException.ThrowIfNull(target);
        foreach (var blob in packed.Blobs)
        {
            await target.PushIfMissingAsync(blob.Descriptor, () => new MemoryStream(blob.Content.ToArray(), writable: false), cancellationToken)
                .ConfigureAwait(false);
        }
        await target.PushIfMissingAsync(packed.Manifest, () => new MemoryStream(packed.ManifestBytes, writable: false), cancellationToken)
            .ConfigureAwait(false);
        await target.TagAsync(packed.Manifest, tag, cancellationToken).ConfigureAwait(false);
    }

    public static string TagFor(ContainerProject project, BuildOptions? options)
    {
        ArgumentNullException.ThrowIfNull(project);
        return options?.Tag ?? project.Config.Version!.ToString().Replace('+', '_');
    }

    /// <summary>Reads a file, refusing one larger than <paramref name="maxBytes"/> (it may have changed since the project was loaded).</summary>
    private static byte[] ReadBounded(string path, long maxBytes)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length > maxBytes) throw new ContainerBuildException(BuildProblemCodes.TooLarge, path, $"{stream.Length} bytes, limit {maxBytes}");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
