using AtymSecure.Container.Build;
using AtymSecure.Container.Project;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Formats.Crypto;
using AtymSecure.Oci.Content;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;
using AtymSecure.TestSupport;

namespace AtymSecure.Delivery.Tests.Support;

/// <summary>The real samples built into a memory store (tags sf-1.0.0, sf-1.1.0, ad-1.0.0), and the keys to sign them with.</summary>
internal sealed class SignedSampleStore : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public MemoryStore Store { get; } = new();

    /// <summary>The vendor and compiler key the tests trust.</summary>
    public SoftwareSigningKey Trusted { get; } = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);

    /// <summary>A key nobody trusts.</summary>
    public SoftwareSigningKey Stranger { get; } = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);

    public TrustedKeys TrustedKeys => TrustedKeys.Of(VerificationKey.FromDer(Trusted.PublicKeySpki.Span));

    private static readonly (string Sample, string Tag)[] Samples =
        [("sensor-filter", "sf-1.0.0"), ("sensor-filter-v1.1.0", "sf-1.1.0"), ("anomaly-detector", "ad-1.0.0")];

    public static string Sample(string name) => Path.Combine(RepositoryRoot.Samples, name);

    /// <summary>Builds every sample (unsigned).</summary>
    public async Task BuildAsync()
    {
        var options = new BuildOptions { Created = Now };
        foreach (var (sample, tag) in Samples)
            await ContainerBuilder.BuildAsync(ContainerProject.Load(Sample(sample)), Store, options with { Tag = tag });
    }

    public async Task SignAsync(string tag, ISigningKey key) =>
        await ArtifactSigner.SignAsync(Store, await Store.ResolveAsync(tag), key, "samples/" + Samples.Single(s => s.Tag == tag).Sample,
            new SignOptions { Created = Now });

    /// <summary>Builds every sample and signs it with <see cref="Trusted"/>.</summary>
    public async Task BuildSignedAsync()
    {
        await BuildAsync();
        foreach (var (_, tag) in Samples) await SignAsync(tag, Trusted);
    }

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
