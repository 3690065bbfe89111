using AtymSecure.Formats.Container;
using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// What a device says it runs (the payload of a <see cref="SignedVersionReport"/>): per container its confirmed and
/// trial slots, last install and trial verdict; the last metadata refusal; boot count and time; its trust mode; and
/// a fresh random <see cref="Nonce"/> the director echoes in the next director targets (trust model §3 step 2). The
/// server treats it as the truth about what the device runs, so it is accepted only signed by the device's key.
/// </summary>
public sealed record VersionReport(
    string DeviceId,
    string Nonce,
    long CreatedAt,
    string Trust,
    string RuntimeVersion,
    EquatableList<ContainerReport> Containers,
    long BootCount,
    RefusalReport? LastRefusal)
{
    public const int FormatVersion = 1;
    public const int MaxBytes = 48 * 1024;
    public const int MaxContainers = 64;
    public const int MaxDetailLength = 1024;

    private static readonly string[] Members = ["deviceId", "nonce", "createdAt", "trust", "runtimeVersion", "containers", "bootCount", "lastRefusal"];

    public byte[] ToJson() => ProtocolJson.Write(FormatVersion,
        ("deviceId", DeviceId), ("nonce", Nonce), ("createdAt", CreatedAt), ("trust", Trust), ("runtimeVersion", RuntimeVersion),
        ("containers", new CanonicalJsonArray(Containers.Select(c => (CanonicalJsonValue)c.ToJson()))),
        ("bootCount", BootCount), ("lastRefusal", LastRefusal?.ToJson()));

    public static VersionReport Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion, Members, f =>
    {
        var trust = f.String("trust", 16);
        if (trust is not ("production" or "development"))
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("trust"), "expected production or development");
        var runtime = f.String("runtimeVersion", 64);
        if (!SemanticVersion.TryParse(runtime, out _))
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("runtimeVersion"), "not a semantic version");
        var items = f.Array("containers", MaxContainers);
        var containers = items.Select((c, i) => ContainerReport.FromJson(c, $"{f.PathOf("containers")}[{i}]")).ToList();
        if (containers.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("containers"), $"'{duplicate.Key}' listed twice");
        return new VersionReport(
            ProtocolJson.Text(f, "deviceId", ProtocolJson.DeviceIdGrammar(), "a device id"),
            ProtocolJson.Text(f, "nonce", ProtocolJson.NonceGrammar(), "a nonce (16-128 base64url characters)"),
            f.Integer("createdAt", 0, UnixTime.Max),
            trust,
            runtime,
            new EquatableList<ContainerReport>(containers),
            f.Integer("bootCount", 0, uint.MaxValue),
            f.Has("lastRefusal") ? RefusalReport.FromJson(f, "lastRefusal") : null);
    });
}
