using AtymSecure.DeviceAgent.Trust;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Tests.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// An image repository and a director as formats/UpdateMetadata signs them (in memory, deterministic keys, a hand-moved
/// clock), for one device: tests publish releases and assignments, run the pure verifier, and persist what it returns.
/// </summary>
internal sealed class MetadataWorld
{
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public MetadataWorld(string deviceId = "atym-0123456789abcdef", string deviceClass = "linux-x86_64", DateTimeOffset? start = null)
    {
        Clock = new ManualClock(start ?? Start);
        DeviceId = deviceId;
        DeviceClass = deviceClass;
        Repository = new TestImageRepository(Clock, deviceClass);
        Director = new TestDirector(Clock);
    }

    public ManualClock Clock { get; }

    /// <summary>Set once the device is provisioned (its id comes from its own key).</summary>
    public string DeviceId { get; set; }

    public string DeviceClass { get; }

    public TestImageRepository Repository { get; }

    public TestDirector Director { get; }

    public byte[] ImageRoot1 => Repository.RootFile(1);

    public byte[] DirectorRoot1 => Director.Source["1.root.json"]!;

    public TrustedState Provisioned() => TrustedState.Provision(ImageRoot1, DirectorRoot1, Clock.Now);

    public UpdateSources Sources => new(Director.Source, Repository.Source);

    /// <summary>Releases <paramref name="image"/> (with a made-up source Wasm) and returns the assignment naming <paramref name="bundle"/>.</summary>
    public TestDirector.Assignment Release(ReleaseIdentity release, byte[] image, byte[] bundle)
    {
        var sha = Repository.AddRelease(release, image, System.Text.Encoding.UTF8.GetBytes($"wasm {release.Container} {release.Version}"));
        Repository.Publish();
        return new TestDirector.Assignment(release, sha, image.Length, bundle);
    }

    public ReleaseIdentity ReleaseOf(string container, string version, long counter, ArtifactKind kind = ArtifactKind.Wasm) =>
        new(container, version, DeviceClass, counter, kind);

    public byte[] Assign(string nonce, params TestDirector.Assignment[] assignments) => Director.Assign(DeviceId, DeviceClass, nonce, assignments);

    public DeviceContext Device(ReportNonces nonces, params (string Container, InstalledContainer Installed)[] containers) =>
        new(DeviceId, DeviceClass, nonces.Accepted, new EquatableMap<InstalledContainer>(containers.Select(c => KeyValuePair.Create(c.Container, c.Installed))));

    /// <summary>The verifier's install for <paramref name="bundle"/> (the only way a test gets a <see cref="VerifiedInstall"/>).</summary>
    public VerifiedInstall VerifiedFor(byte[] bundle, string container = "sensor-filter")
    {
        var assignment = Release(ReleaseOf(container, "1.0.0", 1), System.Text.Encoding.UTF8.GetBytes($"image of {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bundle))}"), bundle);
        Assign("nonce-0000000000000001", assignment);
        var check = Check(Provisioned(), Device(new ReportNonces("nonce-0000000000000001", null), (container, new InstalledContainer(0))));
        return check.RequireUpdate().Installs.Single();
    }

    public UpdateCheck Check(TrustedState state, DeviceContext device) => new UpdateVerifier(Clock).Check(state, Sources, device);
}
