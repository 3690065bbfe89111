namespace AtymSecure.TestSupport;

/// <summary>How an external tool ended: exit code and everything it printed.</summary>
public sealed record ToolResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>This result when the tool exited 0; otherwise fails with <paramref name="what"/> and the tool's output.</summary>
    public ToolResult EnsureSuccess(string what) =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"{what} exited {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}");

    public override string ToString() => $"exit {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}";
}
