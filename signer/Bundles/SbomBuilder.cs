using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Bundles;

/// <summary>
/// Describes one OCI manifest as a CycloneDX 1.6 BOM: the container itself as metadata.component,
/// and its config and every layer (the Wasm module, the Atym config, named blobs) as components
/// with their SHA-256 digests. For an index, the child manifests are the components.
/// </summary>
public static class SbomBuilder
{
    public const string WasmLayerMediaType = "application/wasm";

    public static async Task<CycloneDxBom> BuildAsync(IFetcher repository, Descriptor manifest, string name, DateTimeOffset timestamp,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var bytes = await repository.FetchAllAsync(manifest, OciJson.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        List<CycloneDxComponent> components;
        string? version;
        if (MediaTypes.IsIndex(manifest.MediaType))
        {
            var index = OciJson.Deserialize<ImageIndex>(bytes);
            components = [.. index.Manifests.Select((d, i) => Component(d, "container", $"manifest-{i}"))];
            version = index.Annotations?.GetValueOrDefault(AnnotationKeys.Version);
        }
        else
        {
            var image = OciJson.Deserialize<ImageManifest>(bytes);
            components = [Component(image.Config, "data", "config")];
            components.AddRange(image.Layers.Select((d, i) => Component(d, KindOf(d), $"layer-{i}")));
            version = image.Annotations?.GetValueOrDefault(AnnotationKeys.Version);
        }
        // One component per distinct blob: the same digest listed twice would repeat a bom-ref.
        components = [.. components.DistinctBy(c => c.BomRef)];

        return new CycloneDxBom
        {
            SpecVersion = "1.6",
            SerialNumber = SerialNumber(manifest.Digest, timestamp),
            Version = 1,
            Metadata = new CycloneDxMetadata
            {
                Timestamp = timestamp.ToUniversalTime(),
                Tools = new CycloneDxTools { Components = [new CycloneDxComponent { Type = "application", Name = "atym" }] },
                Component = new CycloneDxComponent
                {
                    Type = "container",
                    BomRef = manifest.Digest.ToString(),
                    Name = name,
                    Version = version,
                    MimeType = manifest.MediaType,
                    Purl = $"pkg:oci/{LastSegment(name)}@{Uri.EscapeDataString(manifest.Digest.ToString())}",
                    Hashes = Hashes(manifest.Digest),
                },
            },
            Components = components,
        };
    }

    private static string KindOf(Descriptor layer) => layer.MediaType switch
    {
        WasmLayerMediaType => "application",
        _ when layer.MediaType.Contains("model", StringComparison.OrdinalIgnoreCase) => "machine-learning-model",
        _ => "data",
    };

    private static CycloneDxComponent Component(Descriptor d, string type, string fallbackName) => new()
    {
        Type = type,
        BomRef = d.Digest.ToString(),
        Name = d.Annotations?.GetValueOrDefault(AnnotationKeys.Title) ?? d.Annotations?.GetValueOrDefault("org.opencontainers.image.ref.name") ?? fallbackName,
        MimeType = d.MediaType,
        Hashes = Hashes(d.Digest),
        Properties =
        [
            new CycloneDxProperty { Name = "oci:digest", Value = d.Digest.ToString() },
            new CycloneDxProperty { Name = "oci:size", Value = d.Size.ToString(CultureInfo.InvariantCulture) },
        ],
    };

    private static IReadOnlyList<CycloneDxHash> Hashes(Digest digest) => digest.Algorithm switch
    {
        "sha256" => [new CycloneDxHash { Alg = "SHA-256", Content = digest.Encoded }],
        "sha512" => [new CycloneDxHash { Alg = "SHA-512", Content = digest.Encoded }],
        _ => [],
    };

    private static string LastSegment(string name) => name[(name.LastIndexOf('/') + 1)..].ToLowerInvariant();

    /// <summary>A name-based (v5-style) UUID of the manifest digest and time, so rebuilding the same BOM gives the same serial.</summary>
    private static string SerialNumber(Digest digest, DateTimeOffset timestamp)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"atym-sbom:{digest}:{timestamp.ToUnixTimeSeconds()}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"urn:uuid:{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
