using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaReleases.Tests.Support;

/// <summary>A <see cref="ReleaseWorld"/> with sensor-filter 1.0.0 and 1.1.0 imported for linux-x86_64, and the real cutter.</summary>
public sealed class ReleasedSamples : IAsyncLifetime
{
    public ReleaseWorld World { get; } = new();

    internal MemoryReleaseStore Releases { get; } = new();

    public Release V100 { get; private set; } = null!;

    public Release V110 { get; private set; } = null!;

    internal ReleaseBundleCutter Cutter => new(World.RegistryAccess, World.Samples.TrustedKeys, World.CompilerKey);

    public async Task InitializeAsync()
    {
        await World.InitializeAsync();
        var importer = World.Importer(Releases);
        V100 = await importer.ImportAsync(new ReleaseRequest(World.SensorFilter("1.0.0")));
        V110 = await importer.ImportAsync(new ReleaseRequest(World.SensorFilter("1.1.0")));
    }

    public Task DisposeAsync() => World.DisposeAsync();
}
