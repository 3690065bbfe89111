using AtymSecure.Primitives;
using System.Text;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>
/// A device, an image repository and a director, wired to the verifier with a hand-moved clock: each test publishes
/// what the server (or an attacker) would, runs one update cycle with <see cref="Check"/>, and looks at the verdict and
/// the state the device would persist.
/// </summary>
internal sealed class UpdateScenario
{
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    public const string DeviceId = "atym-0123456789abcdef";
    public const string Container = "sensor-filter";

    private int _nonces;

    public UpdateScenario(string deviceClass = "linux-x86_64")
    {
        DeviceClass = deviceClass;
        Repository = new TestImageRepository(Clock, deviceClass);
        Director = new TestDirector(Clock);
        State = TrustedState.Provision(Repository.RootFile(1), Director.Source["1.root.json"]);
        NewNonce();
    }

    public ManualClock Clock { get; } = new(Start);

    public string DeviceClass { get; }

    public TestImageRepository Repository { get; }

    public TestDirector Director { get; }

    public TrustedState State { get; set; }

    public UpdateMetadataLimits Limits { get; set; } = UpdateMetadataLimits.Default;

    public Dictionary<string, InstalledContainer> Containers { get; } = new(StringComparer.Ordinal) { [Container] = new InstalledContainer(0) };

    public List<string> AcceptedNonces { get; } = [];

    public string Nonce => AcceptedNonces[^1];

    /// <summary>The device sends a version report with a fresh nonce (and the server acknowledged the previous one).</summary>
    public string NewNonce()
    {
        var nonce = $"nonce-{++_nonces:D16}";
        AcceptedNonces.Clear();
        AcceptedNonces.Add(nonce);
        return nonce;
    }

    public ReleaseIdentity ReleaseOf(string version, long counter, string? container = null, string? deviceClass = null) =>
        new(container ?? Container, version, deviceClass ?? DeviceClass, counter, ArtifactKind.WasmtimeNative);

    /// <summary>Deterministic bytes for a release: the image, its source Wasm and the bundle that yields the image.</summary>
    public static (byte[] Image, byte[] Source, byte[] Bundle) BytesOf(ReleaseIdentity release) =>
        (Encoding.UTF8.GetBytes($"image {release}"), Encoding.UTF8.GetBytes($"wasm {release.Container} {release.Version}"), Encoding.UTF8.GetBytes($"bundle {release}"));

    /// <summary>Publishes a release in the image repository and returns the director assignment that names it.</summary>
    public TestDirector.Assignment Release(ReleaseIdentity release, bool publish = true)
    {
        var (image, source, bundle) = BytesOf(release);
        var sha = Repository.AddRelease(release, image, source);
        if (publish) Repository.Publish();
        return new TestDirector.Assignment(release, sha, image.Length, bundle);
    }

    public byte[] Assign(params TestDirector.Assignment[] assignments) => Director.Assign(DeviceId, DeviceClass, Nonce, assignments);

    /// <summary>A device that installed and confirmed 1.0.0 (counter 1).</summary>
    public static UpdateScenario Running()
    {
        var s = new UpdateScenario();
        s.Assign(s.Release(s.ReleaseOf("1.0.0", 1)));
        s.Installs();
        return s;
    }

    /// <summary>The device reports again (a fresh nonce) and the director answers with <paramref name="version"/> of the container, released first.</summary>
    public TestDirector.Assignment AssignNext(string version, long counter = 1, bool publish = true)
    {
        NewNonce();
        var assignment = Release(ReleaseOf(version, counter), publish);
        Assign(assignment);
        return assignment;
    }

    public DeviceContext Device => new(DeviceId, DeviceClass, [.. AcceptedNonces], new EquatableMap<InstalledContainer>(Containers));

    public UpdateSources Sources => new(Director.Source, Repository.Source);

    /// <summary>One update cycle; the device keeps the state the verifier returns, whatever the verdict.</summary>
    public UpdateCheck Check()
    {
        var result = new UpdateVerifier(Clock, Limits).Check(State, Sources, Device);
        State = result.State;
        return result;
    }

    /// <summary>A cycle that must be refused with <paramref name="code"/>; returns the refusal.</summary>
    public MetadataRefusal Refused(string code)
    {
        var result = Check();
        Assert.True(result.Refusal is not null, $"expected {code}, got {result}");
        Assert.Equal(code, result.Refusal.Code);
        Assert.Null(result.Update);
        return result.Refusal;
    }

    /// <summary>A cycle that must verify; the device then installs and confirms every image it names.</summary>
    public VerifiedUpdate Installs()
    {
        var result = Check();
        Assert.True(result.Update is not null, $"expected an update, got {result}");
        foreach (var install in result.Update.Installs)
            Containers[install.Release.Container] = new InstalledContainer(install.Release.SecurityCounter, install.Image.Sha256);
        return result.Update;
    }
}
