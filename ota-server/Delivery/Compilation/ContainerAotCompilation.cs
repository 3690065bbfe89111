using AtymSecure.Container.Artifact;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Delivery.Compilation;

/// <summary>What <see cref="ContainerAotCompilation.CompileAndPublishAsync"/> did.</summary>
/// <param name="Container">The container manifest the output is attached to.</param>
/// <param name="Artifact">The compiled output and its recipe.</param>
/// <param name="Published">Where it was stored.</param>
public sealed record ContainerCompilationResult(Descriptor Container, CompiledArtifact Artifact, PublishedCompiledArtifact Published);

/// <summary>
/// The one library call behind <c>atym compile REF --device-class C [--key K]</c> (and the OTA server's compile
/// step): read and validate the container, compile its module for the class, attach the signed output and its
/// provenance as referrers.
/// </summary>
public static class ContainerAotCompilation
{
    /// <param name="repository">Registry repository, OCI layout or memory store holding the container.</param>
    /// <param name="reference">Tag or digest of the container manifest in <paramref name="repository"/>.</param>
    /// <param name="deviceClassName">Stable device class name, e.g. <c>mcu-cortex-m4</c>.</param>
    /// <param name="key">Signing key; null attaches the output unsigned.</param>
    /// <param name="repositoryName">Repository name for the statements' subject.</param>
    /// <param name="ct">Cancellation (kills child tools).</param>
    public static async Task<ContainerCompilationResult> CompileAndPublishAsync(
        ITarget repository, string reference, string deviceClassName, ISigningKey? key, string repositoryName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var deviceClass = DeviceClassTable.Get(deviceClassName);
        var manifest = await repository.ResolveAsync(reference, ct).ConfigureAwait(false);
        var container = await ContainerArtifactReader.ReadAsync(repository, manifest, ct).ConfigureAwait(false);
        var targets = container.Config.Targets;
        if (targets.Count > 0 && !targets.Contains(deviceClass.Name, StringComparer.Ordinal))
            throw new AotTargetNotSupportedException(
                $"container {reference} targets {string.Join(", ", targets)}, not '{deviceClass.Name}'");
        var artifact = await AotCompilerRegistry.CompileAsync(container.ModuleBytes, deviceClass, ct).ConfigureAwait(false);
        var published = await CompiledArtifactPublisher.PublishAsync(repository, manifest, artifact, key, repositoryName, null, ct)
            .ConfigureAwait(false);
        return new ContainerCompilationResult(manifest, artifact, published);
    }
}
