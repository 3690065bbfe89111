using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtymSecure.Signer.Wire;

/// <summary>
/// The cosign "simple signing" payload of a legacy <c>.sig</c> signature.
/// Spec: https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md#payload
/// </summary>
public sealed record SimpleSigningPayload : IValidatable
{
    public const string MediaType = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";
    public const string TypeValue = "cosign container image signature";
    public const int MaxBytes = 1024 * 1024;

    [JsonPropertyName("critical")] public SimpleSigningCritical? Critical { get; init; }
    [JsonPropertyName("optional")] public JsonElement? Optional { get; init; }

    public static SimpleSigningPayload Parse(ReadOnlySpan<byte> json) =>
        SignerJson.Parse<SimpleSigningPayload>(json, MaxBytes, "cosign simple-signing payload");

    public static SimpleSigningPayload For(string dockerReference, string manifestDigest) => new()
    {
        Critical = new SimpleSigningCritical
        {
            Identity = new SimpleSigningIdentity { DockerReference = dockerReference },
            Image = new SimpleSigningImage { DockerManifestDigest = manifestDigest },
            Type = TypeValue,
        },
    };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Critical is null) { errors.Add("$.critical: required"); return errors; }
        if (Critical.Type != TypeValue) errors.Add($"$.critical.type: '{Critical.Type}' is not '{TypeValue}'");
        if (Critical.Image?.DockerManifestDigest is null) errors.Add("$.critical.image.docker-manifest-digest: required");
        else if (!Primitives.Digest.TryParse(Critical.Image.DockerManifestDigest, out _, out var e))
            errors.Add($"$.critical.image.docker-manifest-digest: {e}");
        if (Critical.Identity is null) errors.Add("$.critical.identity: required");
        if (Optional is { } o && o.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            errors.Add("$.optional: must be an object or null");
        return errors;
    }
}

public sealed record SimpleSigningCritical
{
    [JsonPropertyName("identity")] public SimpleSigningIdentity? Identity { get; init; }
    [JsonPropertyName("image")] public SimpleSigningImage? Image { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
}

public sealed record SimpleSigningIdentity
{
    [JsonPropertyName("docker-reference")] public string? DockerReference { get; init; }
}

public sealed record SimpleSigningImage
{
    [JsonPropertyName("docker-manifest-digest")] public string? DockerManifestDigest { get; init; }
}
