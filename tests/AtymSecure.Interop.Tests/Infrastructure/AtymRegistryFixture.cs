using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Interop.Tests.Infrastructure;

/// <summary>One registry process shared by a test class (starting a process costs seconds).</summary>
public sealed class AtymRegistryFixture : IAsyncLifetime
{
    public AtymRegistryProcess Registry { get; private set; } = null!;

    public async Task InitializeAsync() => Registry = await AtymRegistryProcess.StartAsync();

    public async Task DisposeAsync() => await Registry.DisposeAsync();
}
