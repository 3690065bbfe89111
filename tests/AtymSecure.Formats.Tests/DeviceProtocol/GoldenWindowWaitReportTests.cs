using System.Runtime.CompilerServices;
using AtymSecure.Formats.DeviceProtocol;

namespace AtymSecure.Formats.Tests.DeviceProtocol;

/// <summary>
/// The golden version report (payload, format 1) whose containers carry <c>awaitingWindow</c>: a bundle downloaded
/// and held for its install window (docs/device-protocol.md). Kept forever beside the v1 goldens, which predate the
/// member and still read without it. Written with ATYM_WRITE_GOLDENS=1 only when the file is missing.
/// </summary>
public class GoldenWindowWaitReportTests
{
    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static readonly string GoldenFile = Path.Combine(Here(), "Golden", "v1-awaiting-window", "version-report.json");

    private const string Device = "atym-0123456789abcdef";

    [Fact]
    public void The_golden_waiting_report_reads_to_the_sample_and_writes_back_byte_for_byte()
    {
        if (Environment.GetEnvironmentVariable("ATYM_WRITE_GOLDENS") == "1" && !File.Exists(GoldenFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(GoldenFile)!);
            File.WriteAllBytes(GoldenFile, ProtocolSamples.WaitingReport(Device).ToJson());
        }
        var bytes = File.ReadAllBytes(GoldenFile);
        var report = VersionReport.Parse(bytes);
        Assert.Equal(ProtocolSamples.WaitingReport(Device), report);
        Assert.Equal(new WindowWaitReport("1.2.0", ProtocolSamples.Now + 7200), report.Containers[0].AwaitingWindow);
        Assert.Null(report.Containers[1].AwaitingWindow!.OpensAt);
        Assert.True(bytes.AsSpan().SequenceEqual(report.ToJson()));
    }

    [Fact]
    public void The_v1_report_without_the_member_still_reads_with_no_wait()
    {
        var signed = SignedVersionReport.Parse(File.ReadAllBytes(Path.Combine(Here(), "Golden", "v1", "report.json")));
        Assert.All(VersionReport.Parse(signed.Payload).Containers, c => Assert.Null(c.AwaitingWindow));
    }
}
