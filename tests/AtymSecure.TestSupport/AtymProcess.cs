namespace AtymSecure.TestSupport;

/// <summary>The `atym` CLI as a separate process (the one built next to the tests: a test project that uses this references cli/), the way a person runs it.</summary>
public sealed class AtymProcess(string workDirectory, IDictionary<string, string> environment)
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "atym.dll");

    /// <summary>Runs to completion; a non-zero exit fails the test with the command and its output.</summary>
    public async Task<string> Ok(params string[] args)
    {
        var r = await Run(args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"atym {string.Join(' ', args)} exited {r.ExitCode}\n{r.StdOut}\n{r.StdErr}");
        return r.StdOut;
    }

    public Task<ToolResult> Run(params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Dll, .. args], TimeSpan.FromMinutes(3), workDirectory, environment);

    /// <summary>Starts without waiting (to kill it mid-way, like a power cut).</summary>
    public BackgroundProcess Start(params string[] args)
    {
        if (!File.Exists(Dll)) throw new InvalidOperationException($"{Dll} is missing: the CLI was not built next to the tests");
        return BackgroundProcess.Start("dotnet", [Dll, .. args], workingDirectory: workDirectory, environment: environment);
    }
}
