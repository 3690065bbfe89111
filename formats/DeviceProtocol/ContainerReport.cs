using AtymSecure.Formats.Container;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>What one slot holds, as the bootloader's state record says: slot <c>a</c>/<c>b</c>, version, image digest (sha256:…), counter.</summary>
public sealed record SlotReport(string Slot, string Version, string ImageDigest, long SecurityCounter)
{
    internal CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        ("slot", Slot), ("version", Version), ("imageDigest", ImageDigest), ("securityCounter", SecurityCounter));

    internal static SlotReport FromJson(JsonFields parent, string name)
    {
        var f = ProtocolJson.Nested(parent, name, "slot", "version", "imageDigest", "securityCounter");
        var slot = f.String("slot", 1);
        if (slot is not ("a" or "b")) throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("slot"), "expected a or b");
        var version = f.String("version", 128);
        if (!SemanticVersion.TryParse(version, out _))
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("version"), "not a semantic version");
        var digest = f.String("imageDigest", 71);
        if (!AtymSecure.Primitives.Digest.IsSha256Text(digest))
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("imageDigest"), "expected sha256: and 64 lower-case hex digits");
        return new SlotReport(slot, version, digest, f.Integer("securityCounter", 0, uint.MaxValue));
    }
}

/// <summary>The last install attempt of a container: <c>installed</c>, <c>refused</c> or <c>failed</c>, with the reason code (formats/ReasonCodes.cs).</summary>
public sealed record InstallReport(string Result, string? Code, string? Detail)
{
    internal CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(("result", Result), ("code", ProtocolJson.Optional(Code)), ("detail", ProtocolJson.Optional(Detail)));

    internal static InstallReport FromJson(JsonFields parent, string name)
    {
        var f = ProtocolJson.Nested(parent, name, "result", "code", "detail");
        return new InstallReport(ProtocolJson.Text(f, "result", ProtocolJson.NameGrammar(), "an install result", 64),
            f.Has("code") ? ProtocolJson.Text(f, "code", ProtocolJson.NameGrammar(), "a reason code", 64) : null,
            f.OptionalString("detail", VersionReport.MaxDetailLength));
    }
}

/// <summary>The last trial verdict of a container (<c>passed</c>, <c>failed</c>, <c>pending</c>: the device's verdict in lower case) and the probe's reason.</summary>
public sealed record TrialReport(string Verdict, string Version, string? Reason)
{
    /// <summary>The verdicts a device sends (its <c>TrialVerdict</c> in lower case); the server decides on these words.</summary>
    public const string Passed = "passed";

    public const string Failed = "failed";

    public const string Pending = "pending";

    internal CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(("verdict", Verdict), ("version", Version), ("reason", ProtocolJson.Optional(Reason)));

    internal static TrialReport FromJson(JsonFields parent, string name)
    {
        var f = ProtocolJson.Nested(parent, name, "verdict", "version", "reason");
        var version = f.String("version", 128);
        if (!SemanticVersion.TryParse(version, out _))
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("version"), "not a semantic version");
        return new TrialReport(ProtocolJson.Text(f, "verdict", ProtocolJson.NameGrammar(), "a trial verdict", 64), version,
            f.OptionalString("reason", VersionReport.MaxDetailLength));
    }
}

/// <summary>
/// A bundle the device downloaded and verified but holds until its install window (docs/update-metadata.md §3.1):
/// the version, and when the next interval opens (unix seconds; null: no interval of the signed window lies ahead,
/// the device waits for fresher metadata). The server counts such a device as waiting, not silent.
/// </summary>
public sealed record WindowWaitReport(string Version, long? OpensAt)
{
    internal CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(("version", Version), ("opensAt", OpensAt is { } at ? (CanonicalJsonValue)at : null));

    internal static WindowWaitReport FromJson(JsonFields parent, string name)
    {
        var f = ProtocolJson.Nested(parent, name, "version", "opensAt");
        var version = f.String("version", 128);
        if (!SemanticVersion.TryParse(version, out _))
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("version"), "not a semantic version");
        return new WindowWaitReport(version, f.OptionalInteger("opensAt", 0, UnixTime.Max));
    }
}

/// <summary>One container in a version report: its confirmed and trial slots, trial attempts left, last install, last
/// trial, and a downloaded bundle waiting for its install window (optional; absent in reports of devices before it).</summary>
public sealed record ContainerReport(string Name, SlotReport? Confirmed, SlotReport? Trial, long AttemptsLeft, InstallReport? LastInstall, TrialReport? LastTrial,
    WindowWaitReport? AwaitingWindow = null)
{
    private static readonly string[] Members = ["name", "confirmed", "trial", "attemptsLeft", "lastInstall", "lastTrial", "awaitingWindow"];

    internal CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        ("name", Name), ("confirmed", Confirmed?.ToJson()), ("trial", Trial?.ToJson()), ("attemptsLeft", AttemptsLeft),
        ("lastInstall", LastInstall?.ToJson()), ("lastTrial", LastTrial?.ToJson()), ("awaitingWindow", AwaitingWindow?.ToJson()));

    internal static ContainerReport FromJson(CanonicalJsonValue value, string path)
    {
        var f = ProtocolJson.Element(value, path, Members);
        var name = f.String("name", ContainerName.MaxLength);
        if (ContainerName.Check(name, f.PathOf("name")) is { } problem)
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, problem.Path, problem.Message);
        return new ContainerReport(name,
            f.Has("confirmed") ? SlotReport.FromJson(f, "confirmed") : null,
            f.Has("trial") ? SlotReport.FromJson(f, "trial") : null,
            f.Integer("attemptsLeft", 0, 255),
            f.Has("lastInstall") ? InstallReport.FromJson(f, "lastInstall") : null,
            f.Has("lastTrial") ? TrialReport.FromJson(f, "lastTrial") : null,
            f.Has("awaitingWindow") ? WindowWaitReport.FromJson(f, "awaitingWindow") : null);
    }
}

/// <summary>Why the device refused the last update metadata (trust model §3: <c>{code, step, role, detail}</c>).</summary>
public sealed record RefusalReport(string Code, long Step, string? Role, string Detail)
{
    internal CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(("code", Code), ("step", Step), ("role", ProtocolJson.Optional(Role)), ("detail", Detail));

    internal static RefusalReport FromJson(JsonFields parent, string name)
    {
        var f = ProtocolJson.Nested(parent, name, "code", "step", "role", "detail");
        return new RefusalReport(ProtocolJson.Text(f, "code", ProtocolJson.NameGrammar(), "a reason code", 64), f.Integer("step", 0, 16),
            f.OptionalString("role", 128), f.String("detail", VersionReport.MaxDetailLength));
    }
}
