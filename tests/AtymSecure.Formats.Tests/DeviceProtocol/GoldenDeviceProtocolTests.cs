using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;

namespace AtymSecure.Formats.Tests.DeviceProtocol;

/// <summary>
/// Golden device protocol messages, format 1, kept forever (never rewritten: a new format version gets new files).
/// Each file must read to the expected value, and our writer must give its exact bytes back. The signed ones carry real
/// ECDSA signatures by the key in <c>enroll-request.json</c> and must keep verifying. Made once with
/// ATYM_WRITE_GOLDENS=1 when the folder was missing (its ECDSA signatures predate RFC 6979 signing, so a rewrite would differ).
/// </summary>
public class GoldenDeviceProtocolTests
{
    private const string Origin = "https://ota.example:443";

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static readonly string GoldenDir = Path.Combine(Here(), "Golden", "v1");

    static GoldenDeviceProtocolTests()
    {
        if (Directory.Exists(GoldenDir) || Environment.GetEnvironmentVariable("ATYM_WRITE_GOLDENS") != "1") return;
        Directory.CreateDirectory(GoldenDir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var enroll = ProtocolSamples.Enrollment(key);
        void Write(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(GoldenDir, name), bytes);
        Write("enroll-request.json", enroll.ToJson());
        Write("enroll-answer.json", ProtocolSamples.EnrollmentAnswer(enroll.DeviceId).ToJson());
        Write("challenge-answer.json", ProtocolSamples.Challenge().ToJson());
        Write("session-request.json", ProtocolSamples.Session(key, enroll.DeviceId, Origin).ToJson());
        Write("session-answer.json", ProtocolSamples.SessionAnswer().ToJson());
        Write("poll-answer.json", ProtocolSamples.Poll().ToJson());
        Write("report.json", ProtocolSamples.SignedReport(key, enroll.DeviceId).ToJson());
        Write("report-answer.json", ProtocolSamples.ReportAnswer().ToJson());
        Write("key-rotation.json", ProtocolSamples.Rotation(key, next, enroll.DeviceId).ToJson());
    }

    private static byte[] Golden(string name) => File.ReadAllBytes(Path.Combine(GoldenDir, name));

    private static EnrollmentRequest Enrollment => EnrollmentRequest.Parse(Golden("enroll-request.json"));

    private static DeviceKey Key => DeviceKey.Parse(Enrollment.PublicKey);

    [Fact]
    public void Enrollment_request_reads_writes_back_and_its_signature_verifies()
    {
        var request = Enrollment;
        Assert.Equal(Golden("enroll-request.json"), request.ToJson());
        Assert.Equal(Key.DerivedDeviceId, request.DeviceId);
        Assert.Equal(["sensor-filter", "logger"], request.PartitionTable.Select(p => p.Container));
        Assert.Equal("atymenr_0a1b2c3d_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", request.EnrollmentToken);
        Assert.True(Key.Verify(request.SignedBytes(), request.Signature));
        Assert.False(Key.Verify((request with { DeviceClass = "mcu-cortex-m33" }).SignedBytes(), request.Signature));
    }

    [Fact]
    public void Answers_read_to_the_expected_values_and_write_back_byte_for_byte()
    {
        var id = Enrollment.DeviceId;
        Assert.Equal(ProtocolSamples.EnrollmentAnswer(id), EnrollmentAnswer.Parse(Golden("enroll-answer.json")));
        Assert.Equal(ProtocolSamples.Challenge(), ChallengeAnswer.Parse(Golden("challenge-answer.json")));
        Assert.Equal(ProtocolSamples.SessionAnswer(), SessionAnswer.Parse(Golden("session-answer.json")));
        Assert.Equal(ProtocolSamples.Poll(), PollAnswer.Parse(Golden("poll-answer.json")));
        Assert.Equal(ProtocolSamples.ReportAnswer(), ReportAnswer.Parse(Golden("report-answer.json")));
        foreach (var (name, bytes) in new (string, byte[])[]
        {
            ("enroll-answer.json", ProtocolSamples.EnrollmentAnswer(id).ToJson()),
            ("challenge-answer.json", ProtocolSamples.Challenge().ToJson()),
            ("session-answer.json", ProtocolSamples.SessionAnswer().ToJson()),
            ("poll-answer.json", ProtocolSamples.Poll().ToJson()),
            ("report-answer.json", ProtocolSamples.ReportAnswer().ToJson()),
        })
            Assert.True(Golden(name).AsSpan().SequenceEqual(bytes), name);
    }

    [Fact]
    public void Session_request_signs_the_challenge_for_one_origin_only()
    {
        var session = SessionRequest.Parse(Golden("session-request.json"));
        Assert.Equal(Golden("session-request.json"), session.ToJson());
        var id = Enrollment.DeviceId;
        Assert.True(Key.Verify(DeviceSigningInputs.Challenge(session.Challenge, id, Origin), session.Signature));
        Assert.False(Key.Verify(DeviceSigningInputs.Challenge(session.Challenge, id, "https://relay.example:443"), session.Signature));
        Assert.False(Key.Verify(DeviceSigningInputs.Challenge(session.Challenge, "atym-0000000000000000", Origin), session.Signature));
    }

    [Fact]
    public void Signed_report_carries_the_expected_report_and_verifies()
    {
        var signed = SignedVersionReport.Parse(Golden("report.json"));
        Assert.Equal(Golden("report.json"), signed.ToJson());
        var id = Enrollment.DeviceId;
        Assert.Equal(ProtocolSamples.Report(id), VersionReport.Parse(signed.Payload));
        Assert.True(Key.Verify(DeviceSigningInputs.Report(id, signed.Payload), signed.Signature));
    }

    [Fact]
    public void Key_rotation_is_signed_by_the_old_and_the_new_key()
    {
        var rotation = KeyRotationRequest.Parse(Golden("key-rotation.json"));
        Assert.Equal(Golden("key-rotation.json"), rotation.ToJson());
        var next = DeviceKey.Parse(rotation.NewPublicKey);
        var input = DeviceSigningInputs.KeyRotation(Enrollment.DeviceId, Enrollment.PublicKey, rotation.NewPublicKey);
        Assert.True(Key.Verify(input, rotation.OldKeySignature));
        Assert.True(next.Verify(input, rotation.NewKeySignature));
        Assert.False(next.Verify(input, rotation.OldKeySignature));
    }
}
