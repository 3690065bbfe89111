using System.CommandLine;
using Spectre.Console;

namespace AtymSecure.Cli.Tests;

/// <summary>Runs `atym ARGS` in-process and captures what it prints (console redirection is global: tests using it share a collection).</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        var originalOut = Console.Out;
        var originalErr = Console.Error;
        var originalAnsi = AnsiConsole.Console;
        Console.SetOut(stdout);
        Console.SetError(stderr);
        // Spectre's console binds to Console.Out when first used: bind it to this run's writer, or tables go to an earlier test's.
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        try
        {
            var code = await AtymApp.RunAsync(args, config);
            return new Result(code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalErr);
            AnsiConsole.Console = originalAnsi;
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
