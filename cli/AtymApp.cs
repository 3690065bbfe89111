using System.CommandLine;

namespace AtymSecure.Cli;

/// <summary>The root command; tests invoke it in-process with the same arguments a person types.</summary>
public static class AtymApp
{
    public static RootCommand Create()
    {
        var root = new RootCommand("atym — build, sign, store and deliver WebAssembly containers to edge devices");
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>
    /// Runs a command line. Library errors are typed and say what is wrong, so a person gets the
    /// message and exit code 1, not a stack trace (set ATYM_DEBUG=1 for the trace).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        configuration.EnableDefaultExceptionHandler = false;
        try
        {
            return await Create().Parse(args).InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await configuration.Error.WriteLineAsync("atym: cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception e)
        {
            await configuration.Error.WriteLineAsync(Environment.GetEnvironmentVariable("ATYM_DEBUG") == "1"
                ? $"atym: {e}" : e is Ota.OtaApiException ? $"atym ota: {e.Message}" : IsWorded(e) ? $"atym: {e.Message}" : $"atym: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>
    /// Errors about a device folder or a file already say which file and what is wrong with it; the type name
    /// would only add noise (issue 11 §6). Others keep it: it tells a bug from a refusal.
    /// </summary>
    private static bool IsWorded(Exception e) =>
        e is DeviceAgent.DeviceDataException or DeviceAgent.DeviceBusyException or Bootloader.Flash.FlashException
            or IOException or UnauthorizedAccessException;
}
