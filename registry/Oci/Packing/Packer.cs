using System.Globalization;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Packing;

/// <summary>What goes into an OCI v1.1 artifact manifest besides its artifactType.</summary>
public sealed record PackOptions
{
    /// <summary>The config blob (already pushed). Null uses the empty descriptor <c>{}</c>, which the packer pushes.</summary>
    public Descriptor? Config { get; init; }

    /// <summary>Layers (already pushed). Empty gives one empty-descriptor layer, as the image spec's artifact guidance says.</summary>
    public IReadOnlyList<Descriptor> Layers { get; init; } = [];

    /// <summary>The manifest this artifact refers to (signature, SBOM, …); makes it a referrer.</summary>
    public Descriptor? Subject { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>
    /// Value of <c>org.opencontainers.image.created</c>. When null (and the annotations do not set it),
    /// <c>SOURCE_DATE_EPOCH</c> is used if set, else the annotation is left out: we never stamp the
    /// wall clock, so packing the same input twice gives the same bytes and digest.
    /// </summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Read <c>SOURCE_DATE_EPOCH</c> (https://reproducible-builds.org/specs/source-date-epoch/) when <see cref="Created"/> is null.</summary>
    public bool UseSourceDateEpoch { get; init; } = true;

    /// <summary>Environment lookup (replaceable in tests).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}

/// <summary>
/// Builds OCI image-spec v1.1 artifact manifests (artifactType, config, layers, subject, annotations).
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md#guidelines-for-artifact-usage
/// Output is deterministic: annotation maps are written in ordinal key order and no timestamp is
/// invented (see <see cref="PackOptions.Created"/>).
/// </summary>
public static class Packer
{
    /// <summary>ORAS's default when the user gives none.</summary>
    public const string DefaultArtifactType = "application/vnd.unknown.artifact.v1";

    /// <summary>The empty descriptor as written into manifests (without the optional inline data, as ORAS does).</summary>
    public static Descriptor EmptyDescriptor { get; } = Descriptor.Empty with { Data = null };

    /// <summary>Builds the manifest bytes and descriptor without pushing anything.</summary>
    /// <exception cref="InvalidManifestException">every problem with the inputs</exception>
    public static (Descriptor Descriptor, byte[] Content) BuildManifest(string artifactType, PackOptions? options = null)
    {
        options ??= new PackOptions();
        var errors = new List<string>();
        if (!MediaTypeGrammar.IsValid(artifactType)) errors.Add($"artifactType: '{artifactType}' is not an RFC 6838 media type");
        var annotations = Sorted(options.Annotations);
        if (annotations is not null && annotations.Keys.Any(string.IsNullOrEmpty)) errors.Add("annotations: empty key");
        if (annotations?.ContainsKey(AnnotationKeys.Created) != true && CreatedValue(options, errors) is { } created)
            (annotations ??= new SortedDictionary<string, string>(StringComparer.Ordinal))[AnnotationKeys.Created] = created;
        if (options.Subject is { } s && !MediaTypes.IsManifest(s.MediaType))
            errors.Add($"subject.mediaType: '{s.MediaType}' is not a manifest media type");
        var layers = options.Layers is { Count: > 0 } given ? given.Select(Normalize).ToList() : [EmptyDescriptor];
        var manifest = new ImageManifest
        {
            ArtifactType = artifactType,
            Config = options.Config is null ? EmptyDescriptor : Normalize(options.Config),
            Layers = layers,
            Subject = options.Subject is null ? null : Plain(options.Subject),
            Annotations = annotations,
        };
        errors.AddRange(manifest.Validate());
        if (errors.Count > 0) throw new InvalidManifestException(errors);
        var bytes = OciJson.Serialize(manifest);
        var descriptor = Descriptor.FromBytes(MediaTypes.ImageManifest, bytes, annotations, artifactType);
        return (descriptor, bytes);
    }

    /// <summary>
    /// Pushes the empty config blob when it is used, then the manifest; returns the manifest
    /// descriptor (with artifactType and annotations, as a referrers listing would show it).
    /// Layers and a non-empty config must already be in <paramref name="target"/>.
    /// </summary>
    public static async Task<Descriptor> PackManifestAsync(IStorage target, string artifactType, PackOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (descriptor, bytes) = BuildManifest(artifactType, options);
        options ??= new PackOptions();
        if (options.Config is null || options.Layers.Count == 0)
            await target.PushIfMissingAsync(EmptyDescriptor, () => new MemoryStream(Descriptor.EmptyContent.ToArray()), cancellationToken).ConfigureAwait(false);
        await target.PushIfMissingAsync(descriptor, () => new MemoryStream(bytes, writable: false), cancellationToken).ConfigureAwait(false);
        return descriptor;
    }

    private static string? CreatedValue(PackOptions options, List<string> errors)
    {
        if (options.Created is { } created) return Rfc3339(created);
        if (!options.UseSourceDateEpoch) return null;
        var epoch = options.Environment("SOURCE_DATE_EPOCH");
        if (string.IsNullOrEmpty(epoch)) return null;
        if (!long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
        {
            errors.Add($"SOURCE_DATE_EPOCH: '{epoch}' is not a non-negative integer number of seconds");
            return null;
        }
        return Rfc3339(DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    /// <summary>RFC 3339 in UTC with whole seconds, e.g. <c>2024-01-02T03:04:05Z</c>.</summary>
    public static string Rfc3339(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static SortedDictionary<string, string>? Sorted(IReadOnlyDictionary<string, string>? map) =>
        map is null || map.Count == 0 ? null : new SortedDictionary<string, string>(map.ToDictionary(), StringComparer.Ordinal);

    private static Descriptor Normalize(Descriptor d) => d with { Annotations = Sorted(d.Annotations) };

    private static Descriptor Plain(Descriptor d) => new() { MediaType = d.MediaType, Digest = d.Digest, Size = d.Size };
}
