using AtymSecure.Container.Build;
using AtymSecure.Container.Project;
using AtymSecure.Formats.Crypto;
using AtymSecure.Oci;
using AtymSecure.Oci.Remote;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Cli.Up;

/// <summary>One sample container of the demo: its folder under samples/ and the version its atym.yaml declares.</summary>
internal sealed record DemoSample(string Folder, string Version);

/// <summary>A sample in the registry: its reference, version, and the module file the vendor lists as its source (TUF step 10).</summary>
internal sealed record PublishedSample(string Reference, string Version, string ModulePath);

/// <summary>
/// <c>atym build</c> + <c>atym push</c> + <c>atym sign</c> of the demo samples, as libraries: each sample folder (its committed
/// .wasm; no compiler needed) is packed straight into our registry as <c>samples/sensor-filter:VERSION</c> and signed with
/// the demo vendor key (made on first use in <c>DATA/up/vendor.key</c>, the key the OTA server trusts for imports). A tag
/// already in the registry is left as it is (a second <c>atym up</c>).
/// </summary>
internal static class SamplePublisher
{
    public const string Repository = "samples/sensor-filter";

    /// <summary>Good 1.0.0, good 1.1.0 (a delta away), and 1.2.0 whose health probe always fails.</summary>
    public static readonly IReadOnlyList<DemoSample> Samples = [new("sensor-filter", "1.0.0"), new("sensor-filter-v1.1.0", "1.1.0"), new("sensor-filter-bad", "1.2.0")];

    /// <summary>The vendor key pair (made if missing); returns the public key file.</summary>
    public static async Task<string> EnsureVendorKeyAsync(UpState state, CancellationToken ct)
    {
        if (!File.Exists(state.VendorKeyPrefix + ".key"))
        {
            Directory.CreateDirectory(state.Folder);
            await KeyGenerator.GenerateFilesAsync(state.VendorKeyPrefix, state.Passphrase, SignatureAlgorithm.Ed25519, cancellationToken: ct).ConfigureAwait(false);
        }
        return state.VendorKeyPrefix + ".pub";
    }

    /// <summary>Builds, pushes and signs every sample not yet in the registry; returns them (<c>host/samples/sensor-filter:V</c>).</summary>
    public static async Task<IReadOnlyList<PublishedSample>> PublishAsync(UpState state, string registryHost, string samplesFolder, CancellationToken ct)
    {
        using var key = await PrivateKeyFile.LoadAsync(state.VendorKeyPrefix + ".key", state.Passphrase, ct).ConfigureAwait(false);
        var repository = new Repository($"{registryHost}/{Repository}", new RemoteOptions { PlainHttp = true });
        var published = new List<PublishedSample>();
        foreach (var sample in Samples)
        {
            var folder = Path.Combine(samplesFolder, sample.Folder);
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"sample {folder} not found: run atym up from the repository root, or pass --samples DIR");
            var project = ContainerProject.Load(folder);
            published.Add(new PublishedSample($"{registryHost}/{Repository}:{sample.Version}", sample.Version, project.ModulePath));
            try
            {
                await repository.ResolveAsync(sample.Version, ct).ConfigureAwait(false);
                continue; // pushed and signed by an earlier run
            }
            catch (NotFoundException)
            {
            }
            if (project.Config.Version?.ToString() != sample.Version)
                throw new InvalidOperationException($"{folder}/atym.yaml says version {project.Config.Version}, the demo expects {sample.Version}");
            var manifest = await ContainerBuilder.BuildAsync(project, repository, new BuildOptions { Tag = sample.Version, Created = DateTimeOffset.UtcNow }, ct).ConfigureAwait(false);
            await ArtifactSigner.SignAsync(repository, manifest, key, Repository, new SignOptions(), ct).ConfigureAwait(false);
        }
        return published;
    }
}
