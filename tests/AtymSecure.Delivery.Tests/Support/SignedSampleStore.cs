using System.Runtime.CompilerServices;
using AtymSecure.Container.Build;
using AtymSecure.Container.Project;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Formats.Crypto;
using AtymSecure.Oci.Content;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;

namespace AtymSecure.Delivery.Tests.Support;

/// <summary>The real samples built into a memory store (tags sf-1.0.0, sf-1.1.0), and the keys to sign them with.</summary>
internal sealed class SignedSampleStore : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public MemoryStore Store { get; } = new();

    /// <summary>The vendor and compiler key the tests trust.</summary>
    public SoftwareSigningKey Trusted { get; } = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);

    /// <summary>A key nobody trusts.</summary>
    public SoftwareSigningKey Stranger { get; } = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);

    public TrustedKeys TrustedKeys => TrustedKeys.Of(VerificationKey.FromDer(Trusted.PublicKeySpki.Span));

    public static string Sample(string name, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "samples", name));

    /// <summary>Builds sensor-filter 1.0.0 and 1.1.0 (unsigned).</summary>
    public async Task BuildAsync()
    {
        var options = new BuildOptions { Created = Now };
        foreach (var (sample, tag) in new[] { ("sensor-filter", "sf-1.0.0"), ("sensor-filter-v1.1.0", "sf-1.1.0") })
            await ContainerBuilder.BuildAsync(ContainerProject.Load(Sample(sample)), Store, options with { Tag = tag });
    }

    public async Task SignAsync(string tag, ISigningKey key) =>
        await ArtifactSigner.SignAsync(Store, await Store.ResolveAsync(tag), key, "samples/sensor-filter", new SignOptions { Created = Now });

    public ContainerSource Source(string tag) => ContainerSource.In(Store, tag);

    public void Dispose()
    {
        Trusted.Dispose();
        Stranger.Dispose();
    }
}

/// <summary>Counts the compilations that reach the real compiler.</summary>
internal sealed class CountingCompiler : IContainerCompiler
{
    private int _count;

    public int Count => _count;

    public Task<CompiledArtifact> CompileAsync(StoredContainer container, Formats.DeviceClasses.DeviceClass deviceClass, CancellationToken ct)
    {
        Interlocked.Increment(ref _count);
        return HostAotCompiler.Instance.CompileAsync(container, deviceClass, ct);
    }
}
