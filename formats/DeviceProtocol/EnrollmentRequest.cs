using AtymSecure.Formats.Container;
using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>One container the device's partition table has A/B slots for.</summary>
public sealed record PartitionEntry(string Container, long SlotBytes)
{
    public const long MinSlotBytes = 4096;
    public const long MaxSlotBytes = 64L * 1024 * 1024;

    internal CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(("container", Container), ("slotBytes", SlotBytes));

    internal static PartitionEntry FromJson(CanonicalJsonValue value, string path)
    {
        var fields = ProtocolJson.Element(value, path, "container", "slotBytes");
        var name = fields.String("container", ContainerName.MaxLength);
        if (ContainerName.Check(name, fields.PathOf("container")) is { } problem)
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, problem.Path, problem.Message);
        return new PartitionEntry(name, fields.Integer("slotBytes", MinSlotBytes, MaxSlotBytes));
    }
}

/// <summary>
/// <c>POST /api/v1/devices/enroll</c>: a device introduces itself (docs/device-protocol.md). It carries the identity
/// public key, what the server needs to cut bundles that fit (class, flash profile, partition table, runtime
/// version), optionally a fleet enrolment token, and a <see cref="Signature"/> by the key over everything else
/// (<see cref="DeviceSigningInputs.Enrollment"/>), so nobody can enrol a key they do not hold or lie about a device's
/// slots. <see cref="DeviceId"/> must be the id derived from the key (checked by the server).
/// </summary>
public sealed record EnrollmentRequest(
    string DeviceId,
    byte[] PublicKey,
    string DeviceClass,
    string FlashProfile,
    EquatableList<PartitionEntry> PartitionTable,
    string RuntimeVersion,
    string? EnrollmentToken,
    byte[] Signature)
{
    public const int FormatVersion = 1;
    public const int MaxBytes = 16 * 1024;
    public const int MaxContainers = 64;
    public const int MaxSignatureBytes = 72;

    private static readonly string[] Members =
        ["deviceId", "publicKey", "deviceClass", "flashProfile", "partitionTable", "runtimeVersion", "enrollmentToken", "signature"];

    /// <summary>The bytes the signature covers: the canonical JSON of this request without <c>signature</c>.</summary>
    public byte[] SignedBytes() => DeviceSigningInputs.Enrollment(DeviceId, CanonicalJsonWriter.Encode(Unsigned()));

    /// <summary>This request carrying <paramref name="signature"/> (the device signs <see cref="SignedBytes"/> first).</summary>
    public EnrollmentRequest WithSignature(byte[] signature) => this with { Signature = signature };

    public byte[] ToJson() => CanonicalJsonWriter.EncodeDocument(CanonicalJsonObject.Of(
        [.. Unsigned().Members.Select(m => (m.Key, (CanonicalJsonValue?)m.Value)), ("signature", ProtocolJson.Base64Url(Signature))]));

    private CanonicalJsonObject Unsigned() => CanonicalJsonObject.Of(
        ("formatVersion", (long)FormatVersion),
        ("deviceId", DeviceId),
        ("publicKey", ProtocolJson.Base64Url(PublicKey)),
        ("deviceClass", DeviceClass),
        ("flashProfile", FlashProfile),
        ("partitionTable", new CanonicalJsonArray(PartitionTable.Select(p => (CanonicalJsonValue)p.ToJson()))),
        ("runtimeVersion", RuntimeVersion),
        ("enrollmentToken", EnrollmentToken is null ? null : new CanonicalJsonString(EnrollmentToken)));

    /// <exception cref="DeviceProtocolException">Too large, malformed, unknown members, or a value outside its grammar.</exception>
    public static EnrollmentRequest Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion, Members, f =>
    {
        var entries = f.Array("partitionTable", MaxContainers);
        if (entries.Count == 0) throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("partitionTable"), "needs at least one container");
        var table = entries.Select((e, i) => PartitionEntry.FromJson(e, $"{f.PathOf("partitionTable")}[{i}]")).ToList();
        if (table.GroupBy(p => p.Container, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("partitionTable"), $"'{duplicate.Key}' listed twice");
        var runtime = f.String("runtimeVersion", 64);
        if (!SemanticVersion.TryParse(runtime, out _))
            throw new DeviceProtocolException(DeviceProtocolCodes.MessageMalformed, f.PathOf("runtimeVersion"), $"'{runtime}' is not a semantic version");
        var token = f.Has("enrollmentToken") ? ProtocolJson.Text(f, "enrollmentToken", ProtocolJson.TokenGrammar(), "a token", 512) : null;
        return new EnrollmentRequest(
            ProtocolJson.Text(f, "deviceId", ProtocolJson.DeviceIdGrammar(), "a device id"),
            ProtocolJson.Bytes(f, "publicKey", 1, DeviceKey.MaxSpkiBytes),
            ProtocolJson.Text(f, "deviceClass", ProtocolJson.NameGrammar(), "a device class name", 64),
            ProtocolJson.Text(f, "flashProfile", ProtocolJson.NameGrammar(), "a flash profile name", 64),
            new EquatableList<PartitionEntry>(table),
            runtime,
            token,
            ProtocolJson.Bytes(f, "signature", 8, MaxSignatureBytes));
    });

    public bool Equals(EnrollmentRequest? other) => other is not null && ToJson().AsSpan().SequenceEqual(other.ToJson());

    public override int GetHashCode() => HashCode.Combine(DeviceId, DeviceClass, RuntimeVersion);
}
