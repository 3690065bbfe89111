using AtymSecure.Formats.DeviceProtocol.Ddi;
using CsCheck;

namespace AtymSecure.Formats.Tests.DeviceProtocol.Ddi;

/// <summary>
/// Mutated goldens and random bytes make every DDI reader fail only with <see cref="DdiMessageException"/> (never
/// another exception); generated feedback and config data round-trip through writer and reader. Counts are capped so
/// the suite stays fast; <c>ATYM_FUZZ_ITERATIONS</c> sets a long run, as for the other protocol readers.
/// </summary>
public class DdiFuzzTests
{
    private static readonly byte[] JsonSyntax = "{}[]\":,0-e.\\unlt"u8.ToArray();

    private static long Iterations(long suite) => JsonMutationFuzz.Iterations(suite);

    public static TheoryData<string> Readers => new() { "controller-base.json", "controller-base-cancel.json", "deployment-base.json", "feedback-proceeding.json", "feedback-swupdate.json", "feedback-swupdate-progress-unknown.json", "cancel.json", "config-data.json" };

    private static Action<byte[]> ReaderOf(string golden) => golden switch
    {
        _ when golden.StartsWith("controller-base", StringComparison.Ordinal) => b => DdiJson.ReadControllerBase(b),
        _ when golden.StartsWith("deployment-base", StringComparison.Ordinal) => b => DdiJson.ReadDeploymentBase(b),
        _ when golden.StartsWith("feedback", StringComparison.Ordinal) => b => DdiJson.ReadFeedback(b),
        _ when golden.StartsWith("cancel", StringComparison.Ordinal) => b => DdiJson.ReadCancel(b),
        _ => b => DdiJson.ReadConfigData(b),
    };

    [Theory]
    [MemberData(nameof(Readers))]
    public void Mutated_goldens_fail_only_with_the_ddi_exception(string golden)
    {
        var valid = DdiGoldenTests.Golden(golden);
        JsonMutationFuzz.FailsOnlyWith<DdiMessageException>(valid, ReaderOf(golden), JsonSyntax, 300);
    }

    [Fact]
    public void Random_bytes_fail_only_with_the_ddi_exception() =>
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            foreach (var read in new Action<byte[]>[] { b => DdiJson.ReadFeedback(b), b => DdiJson.ReadConfigData(b), b => DdiJson.ReadDeploymentBase(b) })
            {
                try
                {
                    read(bytes);
                }
                catch (DdiMessageException)
                {
                }
            }
        }, iter: Iterations(300));

    private static readonly Gen<string> Text = Gen.String[Gen.Char['a', 'z'], 1, 20];

    [Fact]
    public void Generated_feedback_round_trips()
    {
        var gen = Gen.Select(Gen.Enum<DdiExecution>(), Gen.Enum<DdiFinished>(), Gen.Int[0, 10].Nullable(), Text.Array[0, 4])
            .Where(t => !(t.Item1 == DdiExecution.Closed && t.Item2 == DdiFinished.None))
            .Select(t => new DdiActionFeedback(new DdiStatus(t.Item1, new DdiResult(t.Item2, t.Item3 is { } c ? new DdiProgress(c, 10) : null), 200, [.. t.Item4])));
        gen.Sample(feedback => DdiJson.ReadFeedback(DdiJson.Write(feedback)) == feedback, iter: Iterations(200));
    }

    [Fact]
    public void Generated_config_data_round_trips()
    {
        var gen = Gen.Select(Gen.Dictionary(Text, Text)[1, 10], Gen.Enum<DdiUpdateMode>().Nullable())
            .Select(t => new DdiConfigData(new AtymSecure.Primitives.EquatableMap<string>(t.Item1), t.Item2));
        gen.Sample(config => DdiJson.ReadConfigData(DdiJson.Write(config)) == config, iter: Iterations(200));
    }
}
