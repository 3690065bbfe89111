using AtymSecure.Oci.Content;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Delivery.Compilation;

/// <summary>A compiled output stored as a signed referrer of its container manifest.</summary>
/// <param name="Manifest">The AoT artifact manifest (artifactType <see cref="CompiledArtifactPublisher.ArtifactType"/>, subject = container).</param>
/// <param name="Output">The layer: the compiled bytes.</param>
/// <param name="Signature">Signature bundle over <paramref name="Manifest"/> (which binds the output digest); null when published unsigned.</param>
/// <param name="Provenance">SLSA provenance bundle, subject = <paramref name="Manifest"/>, wrapping the recipe; null when published unsigned.</param>
public sealed record PublishedCompiledArtifact(Descriptor Manifest, Descriptor Output, AttachedBundle? Signature, AttachedBundle? Provenance);

/// <summary>
/// Stores AoT outputs in a registry (or OCI layout) as referrers of the container manifest, signs them and
/// attaches their provenance. Used by <c>atym compile</c> and the OTA server. Layout: docs/aot-compilation.md#registry.
/// </summary>
public static class CompiledArtifactPublisher
{
    /// <summary>artifactType of AoT output manifests.</summary>
    public const string ArtifactType = "application/vnd.atym.aot.v1";

    public const string DeviceClassAnnotation = "dev.atym.aot.device-class";
    public const string TripleAnnotation = "dev.atym.aot.triple";
    public const string BackEndAnnotation = "dev.atym.aot.backend";
    public const string BackEndVersionAnnotation = "dev.atym.aot.backend-version";
    public const string KeyDigestAnnotation = "dev.atym.aot.key-digest";
    public const string SourceDigestAnnotation = "dev.atym.aot.source-digest";

    /// <summary>Pushes the output, its manifest (subject = <paramref name="containerManifest"/>), a signature and the provenance.</summary>
    /// <param name="repository">Where the container lives.</param>
    /// <param name="containerManifest">The container's manifest descriptor.</param>
    /// <param name="artifact">The compiled output and its recipe.</param>
    /// <param name="key">Signing key; null attaches the output unsigned and without provenance (devices refuse such outputs).</param>
    /// <param name="repositoryName">Repository name, used as the statements' subject name.</param>
    /// <param name="created">Creation time for the manifests; null keeps them reproducible (no timestamp, or SOURCE_DATE_EPOCH).</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task<PublishedCompiledArtifact> PublishAsync(
        ITarget repository, Descriptor containerManifest, CompiledArtifact artifact, ISigningKey? key, string repositoryName,
        DateTimeOffset? created = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(containerManifest);
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        if (!MediaTypes.IsManifest(containerManifest.MediaType))
            throw new ArgumentException($"the subject must be a manifest, not '{containerManifest.MediaType}'", nameof(containerManifest));
        var problems = artifact.Recipe.Validate();
        if (RecipeSubject.Of(artifact.Bytes.Span).Digest != artifact.Recipe.Output.Digest)
            problems = [.. problems, new Problem(CompilationRecipeProblemCodes.OutputMismatch, "$.output.digest", "does not match the artifact bytes")];
        if (problems.Count > 0)
            throw new CompilationRecipeFormatException(problems);

        var output = Descriptor.FromBytes(artifact.MediaType, artifact.Bytes.Span);
        await repository.PushIfMissingAsync(output, () => new MemoryStream(artifact.Bytes.ToArray(), writable: false), ct).ConfigureAwait(false);
        var manifest = await Packer.PackManifestAsync(repository, ArtifactType, new PackOptions
        {
            Layers = [output],
            Subject = containerManifest,
            Annotations = Annotations(artifact.Recipe),
            Created = created,
        }, ct).ConfigureAwait(false);

        if (key is null) return new PublishedCompiledArtifact(manifest, output, null, null);
        var signature = await ArtifactSigner.SignAsync(repository, manifest, key, repositoryName,
            new SignOptions { Created = created }, ct).ConfigureAwait(false);
        var provenance = await ArtifactSigner.AttestProvenanceAsync(repository, manifest, key, repositoryName,
            CompiledArtifactProvenance.Build(artifact, containerManifest), created, ct).ConfigureAwait(false);
        return new PublishedCompiledArtifact(manifest, output, signature, provenance);
    }

    /// <summary>The annotations that let a device or the OTA server pick the right output from a referrers listing.</summary>
    public static IReadOnlyDictionary<string, string> Annotations(CompilationRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [TripleAnnotation] = recipe.Key.Triple,
            [BackEndAnnotation] = recipe.Key.BackEnd.ToString(),
            [BackEndVersionAnnotation] = recipe.Key.BackEndVersion,
            [KeyDigestAnnotation] = recipe.KeyDigest,
            [SourceDigestAnnotation] = recipe.Source.Digest,
        };
        if (recipe.DeviceClass is not null) annotations[DeviceClassAnnotation] = recipe.DeviceClass;
        return annotations;
    }

    /// <summary>
    /// The AoT output manifests attached to <paramref name="containerManifest"/> for a device class (and, if given,
    /// exactly this compilation key). A listing is only a hint: callers must verify the signature before use.
    /// </summary>
    public static async Task<IReadOnlyList<Descriptor>> FindAsync<TRepository>(
        TRepository repository, Descriptor containerManifest, string deviceClass, CompilationKey? key = null, CancellationToken ct = default)
        where TRepository : IReferrerLister
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(containerManifest);
        var found = new List<Descriptor>();
        await foreach (var referrer in repository.ListReferrersAsync(containerManifest, ArtifactType, ct).ConfigureAwait(false))
        {
            var a = referrer.Annotations;
            if (a is null || !a.TryGetValue(DeviceClassAnnotation, out var c) || c != deviceClass) continue;
            if (key is not null && (!a.TryGetValue(KeyDigestAnnotation, out var k) || k != key.Digest)) continue;
            found.Add(referrer);
        }
        return found;
    }
}
