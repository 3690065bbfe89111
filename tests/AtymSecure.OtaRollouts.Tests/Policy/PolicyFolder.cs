using AtymSecure.Formats.Bundle;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Policies;

namespace AtymSecure.OtaRollouts.Tests.Policy;

/// <summary>
/// A policy folder for the seeded fleet (linux-x86_64 devices on flash <c>host</c>, groups eu and us): sensor-filter
/// may go to eu only, with a canary first, waves of at most 70 % of the group and 30 s of soak; the vendor key must sign
/// and an SBOM must be attested; sensor-filter may log and read temp0 (the shared <see cref="FleetPolicies"/> texts). Files
/// are rewritten in place by tests.
/// </summary>
internal sealed class PolicyFolder : IDisposable
{
    /// <summary>The vendor key's SPKI SHA-256 the trust policy names (the releases' recorded signer).</summary>
    public const string VendorKey = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

    public static readonly string Trust = FleetPolicies.Trust(VendorKey, "127.0.0.1:9/samples/*", "sbom");

    public static readonly string Devices = FleetPolicies.Devices("0.1.0", "host");

    public static readonly string Deployment = FleetPolicies.Deployment(
        new FleetGroup("eu", "sensor-filter", Rollout: new FleetRollout(MandatoryCanary: true, MaxWavePercent: 70, MinSoak: "30s", HaltFailurePercent: 50)),
        new FleetGroup("us", "anomaly-detector"));

    public static readonly string Permissions = FleetPolicies.Permissions(
        new FleetPermission("sensor-filter", "sensor-filter", "\"*\"", "log, \"sensor:temp0\"", MaxMemoryBytes: 1048576));

    private readonly TempFolder _folder = TempFolder.Create("ota-policies");

    public PolicyFolder()
    {
        FleetPolicies.Write(_folder.Path, Trust, Devices, Deployment, Permissions);
    }

    public string Path => _folder.Path;

    public string File(string name) => _folder.File(name);

    public void Write(string name, string text) => _folder.Write(name, text);

    /// <summary>The 1-based line of <paramref name="text"/>'s first line holding <paramref name="needle"/>.</summary>
    public static int LineOf(string text, string needle) => FleetPolicies.LineOf(text, needle);

    /// <summary>A sensor-filter release as an import under these policies records it: signed by the vendor key, SBOM attested, asking for <paramref name="permissions"/>.</summary>
    public static Release SignedRelease(string version, params string[] permissions)
    {
        static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();
        var asked = permissions.Length == 0 ? ["log", "sensor:temp0"] : permissions;
        return new Release(Release.IdFor(Sha("signed" + version)), "sensor-filter", version, "127.0.0.1:9/samples/sensor-filter", Sha("signed" + version),
            Sha("wasm" + version), 1, false, new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero),
            [new ReleaseImage("linux-x86_64", Sha("img" + version), 4096, ArtifactKind.WasmtimeNative, [.. asked], Sha("o"), Sha("r"))], [],
            new ReleasePolicyFacts([VendorKey], ["sbom"], [.. asked], 262144, 50, "trust/samples", Sha("policy")));
    }

    public void Dispose() => _folder.Dispose();
}
