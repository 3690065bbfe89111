using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Packing;

/// <summary>A file to pack as one layer; <see cref="Title"/> defaults to the file name.</summary>
public sealed record FileEntry(string Path, string? MediaType = null, string? Title = null);

/// <summary>A file written by <see cref="FileArtifacts.PullFilesAsync"/>.</summary>
public sealed record PulledFile(string Path, Descriptor Layer);

public sealed record PullFilesOptions
{
    /// <summary>Replace existing files (atomically). When false an existing file stops the pull before anything is written.</summary>
    public bool Overwrite { get; init; } = true;

    /// <summary>Bytes written so far per layer.</summary>
    public Action<Descriptor, long>? OnProgress { get; init; }
}

/// <summary>
/// oras-style <c>push</c>/<c>pull</c> of plain files: each file is a layer annotated with
/// <c>org.opencontainers.image.title</c>; pulling writes each titled layer back under its title.
/// </summary>
public static class FileArtifacts
{
    /// <summary>oras's default layer media type for files.</summary>
    public const string DefaultLayerMediaType = MediaTypes.ImageLayer;

    /// <summary>Pushes every file as a layer (skipping ones already stored) and packs the manifest; returns its descriptor (untagged).</summary>
    public static async Task<Descriptor> PackFilesAsync(IStorage target, IReadOnlyList<FileEntry> files, string artifactType = Packer.DefaultArtifactType,
        PackOptions? options = null, Action<Descriptor, long>? onProgress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(files);
        var titles = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var f in files)
        {
            var title = f.Title ?? Path.GetFileName(f.Path);
            if (SafeFileNames.Problem(title) is { } p) problems.Add($"{f.Path}: title '{title}' {p}");
            if (!titles.Add(title)) problems.Add($"{f.Path}: title '{title}' is used twice");
            if (!File.Exists(f.Path)) problems.Add($"{f.Path}: no such file");
            if (f.MediaType is not null && !MediaTypeGrammar.IsValid(f.MediaType)) problems.Add($"{f.Path}: media type '{f.MediaType}' is invalid");
        }
        if (problems.Count > 0) throw new ArgumentException("cannot pack files: " + string.Join("; ", problems), nameof(files));

        var layers = new List<Descriptor>(files.Count);
        foreach (var f in files)
        {
            Digest digest;
            long size;
            var hashing = File.OpenRead(f.Path);
            await using (hashing.ConfigureAwait(false))
            {
                size = hashing.Length;
                digest = await Digest.ComputeAsync(hashing, Digest.Sha256, cancellationToken).ConfigureAwait(false);
            }
            var layer = new Descriptor
            {
                MediaType = f.MediaType ?? DefaultLayerMediaType,
                Digest = digest,
                Size = size,
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [AnnotationKeys.Title] = f.Title ?? Path.GetFileName(f.Path) },
            };
            await target.PushIfMissingAsync(layer, () => Progress(File.OpenRead(f.Path), layer, onProgress), cancellationToken).ConfigureAwait(false);
            layers.Add(layer);
        }
        return await Packer.PackManifestAsync(target, artifactType, (options ?? new PackOptions()) with { Layers = layers }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Writes every titled layer of the manifest <paramref name="reference"/> into <paramref name="outputDirectory"/>.
    /// All names are checked before the first byte is written; each file appears atomically and verified.
    /// </summary>
    /// <exception cref="UnsafeFileNameException">a title would escape the folder</exception>
    public static async Task<IReadOnlyList<PulledFile>> PullFilesAsync(IReadOnlyTarget source, string reference, string outputDirectory,
        PullFilesOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        options ??= new PullFilesOptions();
        var root = await source.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        if (MediaTypes.IsIndex(root.MediaType))
            throw new OciException($"{reference} is an index ({root.MediaType}); pull one of its manifests by digest");
        var node = await source.FetchNodeAsync(root, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(outputDirectory);
        var plan = new List<(Descriptor Layer, string Path)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in node.Children.Skip(1)) // child 0 is the config
        {
            if (layer.Annotations?.TryGetValue(AnnotationKeys.Title, out var title) != true) continue;
            var path = SafeFileNames.Resolve(outputDirectory, title!);
            if (!seen.Add(path)) throw new UnsafeFileNameException($"two layers are titled '{title}'");
            if (!options.Overwrite && File.Exists(path)) throw new AlreadyExistsException($"{path} exists (overwrite disabled)");
            plan.Add((layer, path));
        }
        var written = new List<PulledFile>(plan.Count);
        foreach (var (layer, path) in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var content = await source.FetchAsync(layer, cancellationToken).ConfigureAwait(false);
            await using (content.ConfigureAwait(false))
            {
                var reading = Progress(content, layer, options.OnProgress);
                var verified = reading is VerifyingStream ? reading : new VerifyingStream(reading, layer, leaveOpen: true);
                await AtomicFile.WriteAsync(path, (file, ct) => verified.CopyToAsync(file, ct),
                    new AtomicWriteOptions { Mode = options.Overwrite ? AtomicWriteMode.Overwrite : AtomicWriteMode.CreateNew },
                    cancellationToken).ConfigureAwait(false);
            }
            written.Add(new PulledFile(path, layer));
        }
        return written;
    }

    private static Stream Progress(Stream s, Descriptor d, Action<Descriptor, long>? onProgress) =>
        onProgress is null ? s : new ProgressStream(s, n => onProgress(d, n));
}
