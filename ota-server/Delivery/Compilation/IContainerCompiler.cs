using AtymSecure.Container.Artifact;
using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Compilation;

/// <summary>A container read from <paramref name="Store"/> (its manifest is <c>Artifact.ManifestDescriptor</c>).</summary>
public sealed record StoredContainer(ContainerStore Store, ContainerArtifact Artifact);

/// <summary>
/// Where the bundle cutter gets a container module's code for a device class. <see cref="HostAotCompiler"/> compiles
/// on this host; <see cref="CompiledReferrerReuse"/> first reuses a verified output that <c>atym compile</c> attached.
/// Injected, so the OTA server can put its own cache in front and tests can count compilations.
/// </summary>
public interface IContainerCompiler
{
    /// <summary>The code of <paramref name="container"/>'s module for <paramref name="deviceClass"/>, with the recipe that made it.</summary>
    Task<CompiledArtifact> CompileAsync(StoredContainer container, DeviceClass deviceClass, CancellationToken ct);
}

/// <summary>Compiles with the back end that builds the class on this host (<see cref="AotCompilerRegistry"/>).</summary>
public sealed class HostAotCompiler : IContainerCompiler
{
    public static HostAotCompiler Instance { get; } = new();

    public Task<CompiledArtifact> CompileAsync(StoredContainer container, DeviceClass deviceClass, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(container);
        return AotCompilerRegistry.CompileAsync(container.Artifact.ModuleBytes, deviceClass, ct);
    }
}
