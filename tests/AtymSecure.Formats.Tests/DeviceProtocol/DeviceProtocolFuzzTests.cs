using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;
using CsCheck;

namespace AtymSecure.Formats.Tests.DeviceProtocol;

/// <summary>
/// Mutated and random bytes make every reader fail only with <see cref="DeviceProtocolException"/>; generated messages
/// round-trip. The suite runs a few hundred cases per reader: 100k each took 2–13 s per reader, 46 s for the class
/// (measured at load 45 on 2 cores), past the few seconds a suite test may take. The long run sets
/// <c>ATYM_FUZZ_ITERATIONS</c>, as for the metadata parsers (docs/update-metadata.md §6):
/// <c>ATYM_FUZZ_ITERATIONS=100000 dotnet test tests/AtymSecure.Formats.Tests --filter "FullyQualifiedName~DeviceProtocolFuzzTests"</c>.
/// </summary>
public class DeviceProtocolFuzzTests
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly string Id = DeviceKey.DeviceIdOf(Key.ExportSubjectPublicKeyInfo());

    /// <summary>Bytes that change a JSON document's structure rather than a value.</summary>
    private static readonly byte[] JsonSyntax = "{}[]\":,0-e.\\u"u8.ToArray();

    /// <summary>The suite's count, or <c>ATYM_FUZZ_ITERATIONS</c> for a long run.</summary>
    private static long Iterations(long suite) => JsonMutationFuzz.Iterations(suite);

    public static TheoryData<string> Readers => new() { "enroll", "enroll-answer", "challenge", "session", "session-answer", "poll", "report", "report-payload", "report-waiting", "report-answer", "rotation" };

    private static (byte[] Valid, Action<byte[]> Read) Case(string name) => name switch
    {
        "enroll" => (ProtocolSamples.Enrollment(Key).ToJson(), b => EnrollmentRequest.Parse(b)),
        "enroll-answer" => (ProtocolSamples.EnrollmentAnswer(Id).ToJson(), b => EnrollmentAnswer.Parse(b)),
        "challenge" => (ProtocolSamples.Challenge().ToJson(), b => ChallengeAnswer.Parse(b)),
        "session" => (ProtocolSamples.Session(Key, Id, "https://a:443").ToJson(), b => SessionRequest.Parse(b)),
        "session-answer" => (ProtocolSamples.SessionAnswer().ToJson(), b => SessionAnswer.Parse(b)),
        "poll" => (ProtocolSamples.Poll().ToJson(), b => PollAnswer.Parse(b)),
        "report" => (ProtocolSamples.SignedReport(Key, Id).ToJson(), b => SignedVersionReport.Parse(b)),
        "report-payload" => (ProtocolSamples.Report(Id).ToJson(), b => VersionReport.Parse(b)),
        "report-waiting" => (ProtocolSamples.WaitingReport(Id).ToJson(), b => VersionReport.Parse(b)),
        "report-answer" => (ProtocolSamples.ReportAnswer().ToJson(), b => ReportAnswer.Parse(b)),
        "rotation" => (ProtocolSamples.Rotation(Key, Key, Id).ToJson(), b => KeyRotationRequest.Parse(b)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Readers))]
    public void Mutated_messages_fail_only_with_the_protocol_exception(string reader)
    {
        var (valid, read) = Case(reader);
        JsonMutationFuzz.FailsOnlyWith<DeviceProtocolException>(valid, read, JsonSyntax, 400);
    }

    [Fact]
    public void Random_bytes_fail_only_with_the_protocol_exception() =>
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            try
            {
                VersionReport.Parse(bytes);
            }
            catch (DeviceProtocolException)
            {
            }
        }, iter: Iterations(500));

    [Fact]
    public void Generated_reports_round_trip()
    {
        var slot = Gen.Select(Gen.OneOf<string>("a", "b"), Gen.Int[0, 20], Gen.Int[0, 20], Gen.Long[0, uint.MaxValue])
            .Select((s, minor, patch, counter) => new SlotReport(s, $"1.{minor}.{patch}", "sha256:" + new string('d', 64), counter));
        var maybeSlot = Gen.OneOf(slot.Select(s => (SlotReport?)s), Gen.Const((SlotReport?)null));
        var container = Gen.Select(Gen.Int[0, 999], maybeSlot, maybeSlot, Gen.Int[0, 255])
            .Select((n, confirmed, trial, attempts) => new ContainerReport($"c{n}", confirmed, trial, attempts, null, null));
        Gen.Select(container.Array[0, 5], Gen.Long[0, uint.MaxValue], Gen.Long[0, UnixTime.Max]).Sample((containers, boots, at) =>
        {
            var unique = containers.DistinctBy(c => c.Name).ToList();
            var report = new VersionReport(Id, ProtocolSamples.Nonce, at, "production", "1.0.0", [.. unique], boots, null);
            Assert.Equal(report, VersionReport.Parse(report.ToJson()));
        }, iter: 200);
    }
}
