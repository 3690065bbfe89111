using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;

namespace AtymSecure.Formats.Tests.DeviceProtocol;

/// <summary>One valid message of every type (the goldens' content), signed where the type is signed by <paramref name="key"/>.</summary>
internal static class ProtocolSamples
{
    public const long Now = 1_764_547_200; // 2025-12-01T00:00:00Z
    public const string Nonce = "bm9uY2UtZ29sZGVuLTAwMDAwMDAx";

    public static byte[] Sign(ECDsa key, byte[] data) => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public static EnrollmentRequest Enrollment(ECDsa key, string? token = "atymenr_0a1b2c3d_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    {
        var spki = key.ExportSubjectPublicKeyInfo();
        var unsigned = new EnrollmentRequest(DeviceKey.DeviceIdOf(spki), spki, "linux-x86_64", "host",
            [new PartitionEntry("sensor-filter", 1024 * 1024), new PartitionEntry("logger", 256 * 1024)], "0.1.0", token, []);
        return unsigned.WithSignature(Sign(key, unsigned.SignedBytes()));
    }

    public static EnrollmentAnswer EnrollmentAnswer(string deviceId) => new(deviceId, EnrollmentStatus.Pending, 60);

    public static ChallengeAnswer Challenge() => new(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray(), Now + 60);

    public static SessionRequest Session(ECDsa key, string deviceId, string origin)
    {
        var challenge = Challenge().Challenge;
        return new SessionRequest(challenge, Sign(key, DeviceSigningInputs.Challenge(challenge, deviceId, origin)));
    }

    public static SessionAnswer SessionAnswer() => new("atym-session-v1.ZGV2aWNl.c2lnbmF0dXJl", Now + 3600);

    public static PollAnswer Poll() => new(300, "{\"signatures\":[],\"signed\":{}}"u8.ToArray(), Nonce);

    public static VersionReport Report(string deviceId) => new(deviceId, Nonce, Now, "development", "0.1.0",
    [
        new ContainerReport("sensor-filter",
            new SlotReport("a", "1.0.0", "sha256:" + new string('a', 64), 65536),
            new SlotReport("b", "1.1.0", "sha256:" + new string('b', 64), 65600),
            2,
            new InstallReport("installed", null, null),
            new TrialReport("running", "1.1.0", null)),
        new ContainerReport("logger", new SlotReport("b", "2.0.0-rc.1", "sha256:" + new string('c', 64), 131072), null, 0,
            new InstallReport("refused", ReasonCodes.CounterRollback, "counter 3 below floor 4"),
            new TrialReport("reverted", "2.0.1", "health probe: exit 3")),
    ], 17, new RefusalReport(ReasonCodes.MetadataExpired, 5, "timestamp", "expired 2025-11-30T00:00:00Z"));

    /// <summary>A report whose first container holds a downloaded bundle for its install window, the second one for a
    /// window with no interval ahead.</summary>
    public static VersionReport WaitingReport(string deviceId) => Report(deviceId) with
    {
        Containers =
        [
            Report(deviceId).Containers[0] with { AwaitingWindow = new WindowWaitReport("1.2.0", Now + 7200) },
            Report(deviceId).Containers[1] with { AwaitingWindow = new WindowWaitReport("2.0.1", null) },
        ],
    };

    public static SignedVersionReport SignedReport(ECDsa key, string deviceId) => SignedVersionReport.Create(Report(deviceId), data => Sign(key, data));

    public static ReportAnswer ReportAnswer() => new(Nonce);

    public static KeyRotationRequest Rotation(ECDsa oldKey, ECDsa newKey, string deviceId)
    {
        var input = DeviceSigningInputs.KeyRotation(deviceId, oldKey.ExportSubjectPublicKeyInfo(), newKey.ExportSubjectPublicKeyInfo());
        return new KeyRotationRequest(newKey.ExportSubjectPublicKeyInfo(), Sign(oldKey, input), Sign(newKey, input));
    }
}
