using System.Runtime.CompilerServices;
using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.DeviceProtocol.Ddi;

/// <summary>
/// Golden DDI messages of version 1 (Goldens/ddi-v1): the shapes of the hawkBit DDI documentation's examples and one
/// feedback as SWUpdate's suricatta sends it (with its extra <c>id</c>). Each reads to the value written out here, and
/// what our writer makes of that value reads back to the same value. Kept forever; a new DDI version gets a new folder.
/// </summary>
public class DdiGoldenTests
{
    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    internal static readonly string GoldenDir = Path.Combine(Here(), "Goldens", "ddi-v1");

    internal static byte[] Golden(string name) => File.ReadAllBytes(Path.Combine(GoldenDir, name));

    private const string Api = "https://management-api.host.com/TENANT_ID/controller/v1/CONTROLLER_ID";
    private const string Cdn = "https://link-to-cdn.com/api/v1/TENANT_ID/download/controller/CONTROLLER_ID/softwaremodules";

    [Fact]
    public void Controller_base_reads_its_polling_time_and_links()
    {
        var expected = new DdiControllerBase(new DdiConfig(new DdiPolling("12:00:00")), new DdiControllerLinks(
            DeploymentBase: new DdiLink($"{Api}/deploymentBase/5?c=-2127183556"),
            InstalledBase: new DdiLink($"{Api}/installedBase/4"),
            ConfigData: new DdiLink($"{Api}/configData")));
        var read = DdiJson.ReadControllerBase(Golden("controller-base.json"));
        Assert.Equal(expected, read);
        Assert.Equal(TimeSpan.FromHours(12), read.Config.Polling.ToTimeSpan());
        Assert.Equal(expected, DdiJson.ReadControllerBase(DdiJson.Write(read)));
    }

    [Fact]
    public void Controller_base_with_a_cancel_link_reads()
    {
        var read = DdiJson.ReadControllerBase(Golden("controller-base-cancel.json"));
        Assert.Equal(new DdiLink($"{Api}/cancelAction/11"), read.Links!.CancelAction);
        Assert.Null(read.Links.DeploymentBase);
        Assert.Equal(TimeSpan.FromMinutes(5), read.Config.Polling.ToTimeSpan());
    }

    [Fact]
    public void Deployment_base_reads_chunks_artifacts_hashes_links_and_history()
    {
        var read = DdiJson.ReadDeploymentBase(Golden("deployment-base.json"));
        var jvm = new DdiChunk("jvm", "1.0.75", "oneapp runtime", Artifacts: [new DdiArtifact("binary.tgz",
            new DdiArtifactHash("986a1ade8b8a2f758ce951340cc5e21335cc2a00", "d04440e6533863247655ac5fd4345bcc", "b3a04740a19e36057ccf258701922f3cd2f1a880536be53a3ca8d50f6b615975"),
            13, new DdiArtifactLinks(
                Download: new DdiLink($"{Cdn}/23/filename/binary.tgz"),
                DownloadHttp: new DdiLink($"{Cdn.Replace("https:", "http:", StringComparison.Ordinal)}/23/filename/binary.tgz"),
                Md5Sum: new DdiLink($"{Cdn}/23/filename/binary.tgz.MD5SUM"),
                Md5SumHttp: new DdiLink($"{Cdn.Replace("https:", "http:", StringComparison.Ordinal)}/23/filename/binary.tgz.MD5SUM")))]);
        var app = new DdiChunk("bApp", "1.0.91", "oneapplication", Artifacts: [new DdiArtifact("binary.tgz",
            new DdiArtifactHash("e3ba7ff5839c210c98e254dde655147ffc49f5c9", "020017c498e6b0b8f76168fd55fa6fd1", "80406288820379a82bbcbfbf7e8690146e46256f505de1c6d430c0168a74f6dd"),
            11, new DdiArtifactLinks(Download: new DdiLink($"{Cdn}/22/filename/binary.tgz"), Md5Sum: new DdiLink($"{Cdn}/22/filename/binary.tgz.MD5SUM")))],
            Metadata: [new DdiMetadata("aMetadataKey", "Metadata value as defined in software module")]);
        var expected = new DdiDeploymentBase("8",
            new DdiDeployment(DdiHandlingType.Forced, DdiHandlingType.Forced, [jvm, app], DdiMaintenanceWindow.Available),
            new DdiActionHistory("RUNNING", ["Reboot", "Write firmware", "Download done", "Download failed. ErrorCode #5876745. Retry", "Started download", "Assignment initiated by user 'TestPrincipal'"]));
        Assert.Equal(expected, read);
        Assert.Equal(expected, DdiJson.ReadDeploymentBase(DdiJson.Write(read)));
    }

    [Fact]
    public void Feedback_with_progress_code_and_details_reads()
    {
        var expected = new DdiActionFeedback(
            new DdiStatus(DdiExecution.Proceeding, new DdiResult(DdiFinished.None, new DdiProgress(2, 5)), 200, ["The feedback message."]),
            "20140511T121314");
        var read = DdiJson.ReadFeedback(Golden("feedback-proceeding.json"));
        Assert.Equal(expected, read);
        Assert.Equal(expected, DdiJson.ReadFeedback(DdiJson.Write(read)));
    }

    [Fact]
    public void Closed_success_feedback_reads()
    {
        var read = DdiJson.ReadFeedback(Golden("feedback-closed-success.json"));
        Assert.Equal(new DdiActionFeedback(new DdiStatus(DdiExecution.Closed, new DdiResult(DdiFinished.Success), Details: ["Installed"])), read);
    }

    [Fact]
    public void SWUpdate_feedback_reads_ignoring_its_id_member()
    {
        var read = DdiJson.ReadFeedback(Golden("feedback-swupdate.json"));
        Assert.Equal(new DdiActionFeedback(
            new DdiStatus(DdiExecution.Closed, new DdiResult(DdiFinished.Failure), Details: ["Installation failed", "ERROR : Image invalid or corrupted"]),
            "20261204T182045"), read);
        Assert.DoesNotContain("\"id\"", System.Text.Encoding.UTF8.GetString(DdiJson.Write(read)), StringComparison.Ordinal);
    }

    [Fact]
    public void SWUpdate_progress_with_cnt_above_of_reads_as_hawkBit_accepts_it()
    {
        // suricatta's mid-install report: of 0 means "count unknown", not a bound hawkBit enforces.
        var read = DdiJson.ReadFeedback(Golden("feedback-swupdate-progress-unknown.json"));
        Assert.Equal(new DdiActionFeedback(
            new DdiStatus(DdiExecution.Proceeding, new DdiResult(DdiFinished.None, new DdiProgress(1, 0)), Details: ["Installation in progress"]),
            "20261204T193312"), read);
        Assert.Equal(read, DdiJson.ReadFeedback(DdiJson.Write(read)));
    }

    [Fact]
    public void Cancel_reads()
    {
        var read = DdiJson.ReadCancel(Golden("cancel.json"));
        Assert.Equal(new DdiCancel("11", new DdiCancelActionToStop("11")), read);
        Assert.Equal(read, DdiJson.ReadCancel(DdiJson.Write(read)));
    }

    [Fact]
    public void Config_data_reads_with_and_without_mode()
    {
        var merge = DdiJson.ReadConfigData(Golden("config-data.json"));
        Assert.Equal(new DdiConfigData(new EquatableMap<string>([new("VIN", "JH4TB2H26CC000000"), new("hwRevision", "2")]), DdiUpdateMode.Merge), merge);
        var plain = DdiJson.ReadConfigData(Golden("config-data-no-mode.json"));
        Assert.Null(plain.Mode);
        Assert.Equal(DdiUpdateMode.Merge, plain.EffectiveMode);
        Assert.Equal("linux-gateway-arm64", plain.Data["device-class"]);
        Assert.Equal(merge, DdiJson.ReadConfigData(DdiJson.Write(merge)));
    }

    [Theory]
    [InlineData(0, "00:00:01")]
    [InlineData(300, "00:05:00")]
    [InlineData(43_200, "12:00:00")]
    [InlineData(100_000, "27:46:40")]
    public void Polling_sleep_is_hours_minutes_seconds(int seconds, string text)
    {
        var polling = DdiPolling.Of(TimeSpan.FromSeconds(seconds));
        Assert.Equal(text, polling.Sleep);
        Assert.Equal(TimeSpan.FromSeconds(Math.Max(1, seconds)), polling.ToTimeSpan());
    }

    [Fact]
    public void Md5sum_line_is_md5sums_format_and_reads_back()
    {
        var line = DdiMd5Sum.Line("d04440e6533863247655ac5fd4345bcc", "binary.tgz");
        Assert.Equal("d04440e6533863247655ac5fd4345bcc  binary.tgz\n"u8.ToArray(), line);
        Assert.Equal("d04440e6533863247655ac5fd4345bcc", DdiMd5Sum.HashOf(line, "binary.tgz"));
        Assert.Null(DdiMd5Sum.HashOf(line, "other.tgz"));
        Assert.Null(DdiMd5Sum.HashOf("zz  binary.tgz"u8, "binary.tgz"));
    }

    [Fact]
    public void Paths_are_hawkbits_and_escape_their_segments()
    {
        Assert.Equal("/DEFAULT/controller/v1/dev-1/deploymentBase/8/feedback", DdiPaths.DeploymentFeedback("DEFAULT", "dev-1", "8"));
        Assert.Equal("/DEFAULT/controller/v1/dev-1/cancelAction/11/feedback", DdiPaths.CancelFeedback("DEFAULT", "dev-1", "11"));
        Assert.Equal("/DEFAULT/controller/v1/dev-1/configData", DdiPaths.ConfigDataPath("DEFAULT", "dev-1"));
        Assert.Equal("/t%2Fx/controller/v1/a%20b/softwaremodules/3/artifacts/f.swu", DdiPaths.Artifact("t/x", "a b", 3, "f.swu"));
    }
}
