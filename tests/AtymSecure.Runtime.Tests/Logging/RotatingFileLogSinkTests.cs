using AtymSecure.Runtime.Logging;
using AtymSecure.TestSupport;

namespace AtymSecure.Runtime.Tests.Logging;

public sealed class RotatingFileLogSinkTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("log-rotation");

    public void Dispose() => _folder.Dispose();

    private string Log => Path.Combine(_folder.Path, "device.log");

    [Fact]
    public void The_log_rotates_through_N_files_of_M_bytes_and_never_takes_more()
    {
        using (var sink = new RotatingFileLogSink(Log, files: 3, maxFileBytes: 4096))
        {
            for (var i = 0; i < 1000; i++) sink.Write(new LogRecord(TimeSpan.FromMilliseconds(i), "c", LogLevel.Info, "log", $"line {i} " + new string('x', 100)));
            Assert.True(sink.Rotations > 2, $"{sink.Rotations} rotations");
        }
        var files = Directory.GetFiles(_folder.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["device.log", "device.log.1", "device.log.2"], files);
        Assert.All(files, f => Assert.InRange(new FileInfo(Path.Combine(_folder.Path, f)).Length, 1, 4096));
        // The newest lines are in device.log, the ones before them in device.log.1.
        Assert.EndsWith($"line 999 {new string('x', 100)}\n", File.ReadAllText(Log), StringComparison.Ordinal);
        var previous = File.ReadAllLines(Log + ".1");
        var current = File.ReadAllLines(Log);
        Assert.Equal(LineNumber(previous[^1]) + 1, LineNumber(current[0]));
    }

    [Fact]
    public void A_reopened_full_log_rotates_first_and_a_line_longer_than_a_file_is_cut()
    {
        File.WriteAllText(Log, new string('o', 5000));
        using (var sink = new RotatingFileLogSink(Log, files: 2, maxFileBytes: 4096))
            sink.Write(new LogRecord(TimeSpan.Zero, "c", LogLevel.Info, "log", new string('y', 10_000)));
        Assert.Equal(5000, new FileInfo(Log + ".1").Length);
        var text = File.ReadAllText(Log);
        Assert.InRange(text.Length, 1, 4096);
        Assert.Contains("…[truncated ", text, StringComparison.Ordinal);
    }

    private static int LineNumber(string line)
    {
        var at = line.IndexOf("line ", StringComparison.Ordinal) + 5;
        return int.Parse(line[at..line.IndexOf(' ', at)], System.Globalization.CultureInfo.InvariantCulture);
    }
}
