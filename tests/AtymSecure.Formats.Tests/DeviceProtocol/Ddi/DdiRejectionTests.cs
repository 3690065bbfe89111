using AtymSecure.Formats.DeviceProtocol.Ddi;

namespace AtymSecure.Formats.Tests.DeviceProtocol.Ddi;

/// <summary>Negative goldens (Goldens/ddi-v1/bad): each is refused with a <see cref="DdiMessageException"/> whose problems
/// name what is wrong and where; a message with several faults reports all of them.</summary>
public class DdiRejectionTests
{
    private static DdiMessageException Refuse(string file, Action<byte[]> read)
    {
        var bytes = DdiGoldenTests.Golden(Path.Combine("bad", file));
        return Assert.Throws<DdiMessageException>(() => read(bytes));
    }

    [Theory]
    [InlineData("feedback-unknown-execution.json", DdiProblemCodes.Malformed, "$.status.execution")]
    [InlineData("feedback-wrong-case.json", DdiProblemCodes.Malformed, "$.status.execution")]
    [InlineData("feedback-execution-number.json", DdiProblemCodes.Malformed, "$.status.execution")]
    [InlineData("feedback-closed-none.json", DdiProblemCodes.Invalid, "$.status.result.finished")]
    [InlineData("feedback-duplicate-key.json", DdiProblemCodes.Malformed, "$.status.execution")]
    [InlineData("feedback-no-status.json", DdiProblemCodes.Malformed, "$")]
    [InlineData("feedback-no-result.json", DdiProblemCodes.Malformed, "$.status")]
    [InlineData("feedback-progress-negative.json", DdiProblemCodes.Invalid, "$.status.result.progress.cnt")]
    [InlineData("feedback-truncated.json", DdiProblemCodes.Malformed, "$")]
    public void Bad_feedback_is_refused(string file, string code, string path)
    {
        var refused = Refuse(file, b => DdiJson.ReadFeedback(b));
        Assert.Contains(refused.Problems, p => p.Code == code && p.Path == path);
    }

    [Theory]
    [InlineData("config-data-bad-mode.json", DdiProblemCodes.Malformed, "$.mode")]
    [InlineData("config-data-empty.json", DdiProblemCodes.Required, "$.data")]
    [InlineData("config-data-long-key.json", DdiProblemCodes.Invalid, null)]
    [InlineData("config-data-null-value.json", DdiProblemCodes.Required, "$.data[\"a\"]")]
    [InlineData("config-data-array.json", DdiProblemCodes.Malformed, "$.data")]
    public void Bad_config_data_is_refused(string file, string code, string? path)
    {
        var refused = Refuse(file, b => DdiJson.ReadConfigData(b));
        Assert.Contains(refused.Problems, p => p.Code == code && (path is null || p.Path == path));
    }

    [Fact]
    public void Bad_cancel_ids_are_both_reported()
    {
        var refused = Refuse("cancel-bad-ids.json", b => DdiJson.ReadCancel(b));
        Assert.Equal(["$.id", "$.cancelAction.stopId"], refused.Problems.Select(p => p.Path));
    }

    [Theory]
    [InlineData("controller-base-bad-sleep.json", "$.config.polling.sleep")]
    [InlineData("controller-base-bad-link.json", "$._links.deploymentBase.href")]
    public void Bad_controller_base_is_refused(string file, string path)
    {
        var refused = Refuse(file, b => DdiJson.ReadControllerBase(b));
        Assert.Contains(refused.Problems, p => p.Code == DdiProblemCodes.Invalid && p.Path == path);
    }

    [Fact]
    public void A_bad_artifact_reports_every_problem()
    {
        var refused = Refuse("deployment-base-bad-artifact.json", b => DdiJson.ReadDeploymentBase(b));
        const string at = "$.deployment.chunks[0].artifacts[0]";
        Assert.Equal(
            [$"{at}.filename", $"{at}.size", $"{at}.hashes.sha1", $"{at}.hashes.sha256", $"{at}._links"],
            refused.Problems.Select(p => p.Path));
    }

    [Fact]
    public void An_oversized_body_is_refused_before_parsing()
    {
        var big = new byte[DdiActionFeedback.MaxBytes + 1];
        var refused = Assert.Throws<DdiMessageException>(() => DdiJson.ReadFeedback(big));
        Assert.True(refused.IsTooLarge);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = System.Text.Encoding.UTF8.GetBytes("{\"status\":" + new string('[', 100) + new string(']', 100) + "}");
        var refused = Assert.Throws<DdiMessageException>(() => DdiJson.ReadFeedback(deep));
        Assert.True(refused.Has(DdiProblemCodes.Malformed));
    }

    [Fact]
    public void The_writer_refuses_an_invalid_message()
    {
        var bad = new DdiCancel("eleven", new DdiCancelActionToStop("11"));
        Assert.Throws<DdiMessageException>(() => DdiJson.Write(bad));
    }
}
