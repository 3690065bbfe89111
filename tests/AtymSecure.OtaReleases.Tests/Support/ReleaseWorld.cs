using AtymSecure.Delivery.Compilation;
using AtymSecure.Delivery.Tests.Support;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Oci.Copying;
using AtymSecure.OtaReleases.Import;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.OtaReleases.Tests.Support;

/// <summary>
/// The real parts a release import needs: our registry on loopback holding the real samples, signed by the vendor key
/// (<see cref="SignedSampleStore"/>, shared with the delivery tests) — <c>samples/sensor-filter:1.0.0</c>, <c>:1.1.0</c>
/// and <c>samples/anomaly-detector:1.0.0</c> — a data folder with the compiler key file, and an importer over
/// in-memory stores. One per test class (imports attach referrers to the registry).
/// </summary>
public sealed class ReleaseWorld : IAsyncLifetime
{
    public const string Passphrase = "compiler-key-passphrase";

    internal SignedSampleStore Samples { get; } = new();

    public LoopbackRegistry Registry { get; } = LoopbackRegistry.Create();

    public TempFolder Data { get; } = TempFolder.Create("ota-releases");

    public string SensorFilter(string version) => $"{Registry.Host}/samples/sensor-filter:{version}";

    public string AnomalyDetector => $"{Registry.Host}/samples/anomaly-detector:1.0.0";

    /// <summary>A signed sample copied into a repository of its own, so nothing an earlier test attached is there: <c>host/samples/NAME:VERSION</c>.</summary>
    public async Task<string> FreshCopyAsync(string sampleTag, string version)
    {
        var name = "samples/fresh-" + Guid.NewGuid().ToString("N")[..12];
        await Samples.Store.CopyAsync(sampleTag, Registry.Repository(name), version, new CopyOptions { IncludeReferrers = true });
        return $"{Registry.Host}/{name}:{version}";
    }

    internal CompilerKeyFile CompilerKey { get; private set; } = null!;

    internal RegistryAccess RegistryAccess => new(Registry.Host, new Oci.Remote.RemoteOptions { PlainHttp = true });

    public async Task InitializeAsync()
    {
        await Registry.InitializeAsync();
        await Samples.BuildSignedAsync();
        var copy = new CopyOptions { IncludeReferrers = true };
        await Samples.Store.CopyAsync("sf-1.0.0", Registry.Repository("samples/sensor-filter"), "1.0.0", copy);
        await Samples.Store.CopyAsync("sf-1.1.0", Registry.Repository("samples/sensor-filter"), "1.1.0", copy);
        await Samples.Store.CopyAsync("ad-1.0.0", Registry.Repository("samples/anomaly-detector"), "1.0.0", copy);
        // Built but never signed: what an attacker with registry write access could push.
        await Samples.Store.CopyAsync("sf-1.1.0", Registry.Repository("samples/unsigned"), "1.1.0", new CopyOptions());
        CompilerKey = new CompilerKeyFile(Data.File("keys/compiler.key"), PassphraseSource.FromValue(Passphrase));
    }

    /// <summary>An importer over <paramref name="releases"/>, compiling through <paramref name="compiler"/> (default: the host's back ends).</summary>
    internal ReleaseImporter Importer(MemoryReleaseStore releases, IContainerCompiler? compiler = null, TimeProvider? time = null,
        params string[] fleet) =>
        new(releases, RegistryAccess, Samples.TrustedKeys, new ConfiguredFleetClasses(fleet.Length == 0 ? [DeviceClassTable.LinuxX86_64.Name] : fleet),
            CompilerKey, time ?? new FixedTime(SignedSampleStore.Now), TimeSpan.FromDays(180), compiler);

    public async Task DisposeAsync()
    {
        CompilerKey?.Dispose();
        Samples.Dispose();
        await Registry.DisposeAsync();
        Data.Dispose();
    }
}

/// <summary>A clock that stands still (import times in tests are fixed).</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Fails the classes named, compiles the rest with the host's back ends, and counts real compilations.</summary>
internal sealed class ScriptedCompiler(params string[] failing) : IContainerCompiler
{
    private int _count;

    public int Count => _count;

    public Task<CompiledArtifact> CompileAsync(StoredContainer container, DeviceClass deviceClass, CancellationToken ct)
    {
        if (failing.Contains(deviceClass.Name)) throw new AotCompilationException($"scripted failure for {deviceClass.Name}: the back end crashed");
        Interlocked.Increment(ref _count);
        return HostAotCompiler.Instance.CompileAsync(container, deviceClass, ct);
    }
}
