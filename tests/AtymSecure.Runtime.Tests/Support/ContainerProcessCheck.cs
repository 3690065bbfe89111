using AtymSecure.Runtime.Isolation;

namespace AtymSecure.Runtime.Tests.Support;

/// <summary>No container process may outlive the runtime that started it: checked by the agent's registry and by /proc.</summary>
internal static class ContainerProcessCheck
{
    public static void NoneLeft()
    {
        Assert.Empty(ContainerProcesses.LiveIds);
        Assert.Empty(ChildrenRunningTheHost());
    }

    /// <summary>Processes whose parent is this test process and whose command line names the container host.</summary>
    public static IReadOnlyList<int> ChildrenRunningTheHost()
    {
        var mine = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] != mine || fields[0] == "Z") continue;
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(ContainerHostLocator.AssemblyName, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
