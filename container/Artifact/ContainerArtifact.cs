using AtymSecure.Formats.Container;
using AtymSecure.Formats.Wasm;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Container.Artifact;

/// <summary>
/// A container read back from OCI content, checked end to end by <see cref="ContainerArtifactReader"/>.
/// <see cref="HasAtymConfig"/> is false for plain Wasm OCI images from other tools; their <see cref="Config"/>
/// is derived (see docs/container-format.md#foreign-images).
/// </summary>
public sealed record ContainerArtifact
{
    public required Descriptor ManifestDescriptor { get; init; }

    public required ImageManifest Manifest { get; init; }

    public required WasmArtifactConfig WasmConfig { get; init; }

    public required Descriptor ModuleDescriptor { get; init; }

    public required ReadOnlyMemory<byte> ModuleBytes { get; init; }

    public required WasmModule Module { get; init; }

    public required ContainerConfig Config { get; init; }

    public required bool HasAtymConfig { get; init; }

    /// <summary>Named blobs by name, verified against their descriptors.</summary>
    public required IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Blobs { get; init; }
}

/// <summary>
/// The content is not a valid Atym (or plain Wasm) container; <see cref="ProblemException.Problems"/> lists every reason,
/// each with an <see cref="ArtifactProblemCodes"/> (or config reader) code and the path of the part at fault.
/// </summary>
public sealed class ContainerArtifactException : ProblemException
{
    private const string Heading = "not a valid Wasm container";

    public ContainerArtifactException(IReadOnlyList<Problem> problems) : base(Heading, problems) { }

    public ContainerArtifactException() : base(Heading) { }

    public ContainerArtifactException(string message) : base(message) { }

    public ContainerArtifactException(string message, Exception innerException) : base(message, innerException) { }
}
