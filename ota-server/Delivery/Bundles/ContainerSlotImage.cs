using AtymSecure.Container.Artifact;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Compilation;

namespace AtymSecure.Delivery.Bundles;

/// <summary>
/// What one bootloader slot receives for one container version on one device class.
/// </summary>
/// <param name="Bytes">The target image: a container image, or for wasm2c classes the raw compiled object.</param>
/// <param name="ImageFormat">Which of the two <paramref name="Bytes"/> is.</param>
/// <param name="ArtifactKind">The kind of the code (inside the container image, or the raw artifact).</param>
/// <param name="TargetTriple">Compiler triple of the code.</param>
/// <param name="Grants">What the image grants; empty for a raw artifact, which carries no grants.</param>
public sealed record ContainerSlotImage(
    ReadOnlyMemory<byte> Bytes,
    ImageFormat ImageFormat,
    ArtifactKind ArtifactKind,
    string TargetTriple,
    IReadOnlyList<Capability> Grants)
{
    /// <summary>
    /// Compiles the container's module for <paramref name="deviceClass"/> (through <paramref name="compiler"/>) and, for Wasmtime classes,
    /// wraps code + config + grants + blobs into a container image (docs/container-image-format.md). wasm2c
    /// classes keep the raw object: it is linked into the MCU firmware. Compilation is deterministic, so the
    /// same inputs give the same bytes — the base of a delta is rebuilt exactly as the device holds it.
    /// </summary>
    /// <param name="stored">The container and the store it was read from.</param>
    /// <param name="grants">What the deployment grants; null grants exactly the config's permissions. A grant
    /// the config does not ask for throws <see cref="GrantNotRequestedException"/>.</param>
    /// <param name="compiler">Where the code comes from (compiled here, or a verified published output).</param>
    public static async Task<ContainerSlotImage> BuildAsync(StoredContainer stored, DeviceClass deviceClass,
        IReadOnlyCollection<Capability>? grants, IContainerCompiler compiler, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(deviceClass);
        ArgumentNullException.ThrowIfNull(compiler);
        var container = stored.Artifact;
        var config = container.Config;
        if (config.Targets.Count > 0 && !config.Targets.Contains(deviceClass.Name, StringComparer.Ordinal))
            throw new AotTargetNotSupportedException($"container {config.Name} {config.Version} targets {string.Join(", ", config.Targets)}, not '{deviceClass.Name}'");
        var granted = ResolveGrants(config, grants);
        var key = CompilationKey.ForDeviceClass(deviceClass);
        var kind = KindOf(deviceClass);
        // A raw object carries no grants: refuse a reduction rather than silently not applying it.
        if (kind == ArtifactKind.Wasm2cObject && granted.Count != config.Permissions.Count)
            throw new GrantsNotCarriedException($"cannot grant less than {config.Name} {config.Version} asks for on {deviceClass.Name}: " +
                "its wasm2c code is linked into firmware and the raw artifact carries no grants");
        var compiled = await compiler.CompileAsync(stored, deviceClass, ct).ConfigureAwait(false);
        if (compiled.Recipe.KeyDigest != key.Digest)
            throw new AotCompilationException($"the compiler returned code for key {compiled.Recipe.KeyDigest}, not {deviceClass.Name}'s key {key.Digest}");
        if (kind == ArtifactKind.Wasm2cObject)
        {
            return new ContainerSlotImage(compiled.Bytes, ImageFormat.RawArtifact, kind, key.Triple, []);
        }
        var image = ContainerImageWriter.Write(config, granted, kind, deviceClass.Name, key.Triple, compiled.Bytes.Span, container.Blobs);
        return new ContainerSlotImage(image, ImageFormat.ContainerImageV1, kind, key.Triple, granted);
    }

    /// <summary>The grants in the config's permission order; throws when one is not a permission of the config.</summary>
    private static IReadOnlyList<Capability> ResolveGrants(ContainerConfig config, IReadOnlyCollection<Capability>? grants)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (grants is null) return config.Permissions;
        var extra = grants.Where(g => !config.Permissions.Contains(g)).Distinct().ToList();
        if (extra.Count > 0) throw new GrantNotRequestedException(config, extra);
        return [.. config.Permissions.Where(grants.Contains)];
    }

    private static ArtifactKind KindOf(DeviceClass deviceClass) =>
        deviceClass.BackEnd switch
        {
            AotBackEndKind.Wasm2c => ArtifactKind.Wasm2cObject,
            _ when deviceClass.Isa == Isa.Pulley64 => ArtifactKind.WasmtimePulley,
            _ => ArtifactKind.WasmtimeNative,
        };
}

/// <summary>Reduced grants were asked for a device class whose target image cannot carry grants (wasm2c raw objects).</summary>
public sealed class GrantsNotCarriedException : ArgumentException
{
    public GrantsNotCarriedException() { }

    public GrantsNotCarriedException(string message) : base(message) { }

    public GrantsNotCarriedException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A deployment tried to grant what the container does not ask for (grants may be fewer than the permissions, never more).</summary>
public sealed class GrantNotRequestedException : ArgumentException
{
    public GrantNotRequestedException(ContainerConfig config, IReadOnlyList<Capability> notRequested)
        : base($"cannot grant {string.Join(", ", notRequested.Select(g => $"'{g}'"))}: {config?.Name} {config?.Version} asks only for " +
            $"[{string.Join(", ", config?.Permissions ?? [])}] (a deployment may grant less than the container asks, never more)")
    {
        NotRequested = notRequested;
    }

    public GrantNotRequestedException() : this(new ContainerConfig(), []) { }

    public GrantNotRequestedException(string message) : base(message) => NotRequested = [];

    public GrantNotRequestedException(string message, Exception innerException) : base(message, innerException) => NotRequested = [];

    public IReadOnlyList<Capability> NotRequested { get; }
}
