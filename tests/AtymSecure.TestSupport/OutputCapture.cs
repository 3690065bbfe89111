using System.Diagnostics;
using System.Text;

namespace AtymSecure.TestSupport;

/// <summary>Collects a started process's stdout and stderr line by line (thread-safe), separately and interleaved.</summary>
internal sealed class OutputCapture
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _both = new();

    public OutputCapture(Process process)
    {
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string StdOut { get { lock (_both) return _stdout.ToString(); } }
    public string StdErr { get { lock (_both) return _stderr.ToString(); } }

    /// <summary>Both streams in arrival order (a server's log).</summary>
    public string Text { get { lock (_both) return _both.ToString(); } }

    private void Append(StringBuilder stream, string? line)
    {
        if (line is null) return;
        lock (_both)
        {
            stream.AppendLine(line);
            _both.AppendLine(line);
        }
    }
}
