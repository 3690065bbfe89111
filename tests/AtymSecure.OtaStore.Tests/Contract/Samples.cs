using AtymSecure.OtaContracts;

namespace AtymSecure.OtaStore.Tests.Contract;

internal static class Samples
{
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static OperatorToken Token(string id, OperatorRole role = OperatorRole.Viewer, DateTimeOffset? created = null) =>
        new(id, "label " + id, role, role == OperatorRole.Deployer ? ["eu-test"] : [], new string('a', 64), created ?? T0, "test", null, null);

    public static EnrollmentToken Enrollment(string id, long? uses = null, DateTimeOffset? expires = null) =>
        new(id, "fleet", new string('b', 64), uses, ["lab"], T0, "test", expires, null);

    public static DeviceRecord Device(string id, DeviceState state = DeviceState.Active, params string[] groups) =>
        new(id, "MFkw", new string('c', 64), "linux-x86_64", "host", [new DevicePartition("sensor-filter", 1 << 20)], "0.1.0", state, 1,
            [.. groups], new AtymSecure.Primitives.EquatableMap<string>([KeyValuePair.Create("site", "lab")]), T0, T0, 0);

    public static DeviceReport Report(string device, string nonce) => new(device, 0, nonce, T0, "cGF5bG9hZA", "c2ln");

    public static AuditEntry Audit(string action) => new(0, T0, "0a1b2c3d", "admin", action, "token/0a1b2c3d", null, "{\"role\":\"admin\"}");
}
