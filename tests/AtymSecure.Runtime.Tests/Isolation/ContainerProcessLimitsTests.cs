using System.Diagnostics;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Engines;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Isolation;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Isolation;

/// <summary>
/// The OS limits a container process puts on itself (<see cref="ContainerProcessLimits"/>, issue 11 §1 "resource
/// limits via the process"), read from the kernel's view of the real child: <c>/proc/PID/limits</c> and
/// <c>/proc/PID/status</c>. The test host runs with an unlimited hard core size, 20000 open files and NoNewPrivs 0, so
/// each value below is the child's own doing.
/// </summary>
[Collection(ContainerProcessCollection.Name)]
public sealed class ContainerProcessLimitsTests : IDisposable
{
    private static readonly EngineProfile X86 = EngineProfile.For(DeviceClassTable.LinuxX86_64);
    private readonly TestDevice _device = new(realTime: true);

    private static string Proc(int pid, string file) => File.ReadAllText($"/proc/{pid}/{file}");

    /// <summary>The soft and hard value of one row of /proc/PID/limits ("Max open files  256  256  files").</summary>
    private static (string Soft, string Hard) Limit(int pid, string name)
    {
        var row = Proc(pid, "limits").Split('\n').Single(l => l.StartsWith(name, StringComparison.Ordinal));
        var values = row[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (values[0], values[1]);
    }

    private static bool NoNewPrivs(int pid) =>
        Proc(pid, "status").Split('\n').Single(l => l.StartsWith("NoNewPrivs:", StringComparison.Ordinal)).EndsWith('1');

    [Fact]
    public void A_running_container_process_has_no_core_dumps_256_files_and_no_new_privileges()
    {
        using (var runtime = _device.Runtime(X86))
        {
            var config = TestSpecs.Config("steady", resources: new ResourceLimits { MaxMemoryBytes = 131072, CpuBudgetMs = 20, SliceIntervalMs = 20 },
                restart: new RestartPolicy { Mode = RestartMode.Never }, permissions: [Capability.Parse("kv")]);
            runtime.Start(TestSpecs.Spec(config, TestSpecs.Wat("steady", ProcessModeTests.Steady), "kv"));
            // A step stored through the agent means the child read its start frame, so it applied its limits before.
            Wait.Until(() => _device.Kv.For("steady").Get("count"u8) is not null, "a step of the container process");
            var pid = ContainerProcessCheck.ChildrenRunningTheHost().Single();

            Assert.Equal(("0", "0"), Limit(pid, "Max core file size"));
            Assert.Equal(("256", "256"), Limit(pid, "Max open files"));
            Assert.True(NoNewPrivs(pid), Proc(pid, "status"));
            // The agent itself keeps its own limits: they are the child's, set after the fork.
            Assert.NotEqual(("256", "256"), Limit(Environment.ProcessId, "Max open files"));
            Assert.False(NoNewPrivs(Environment.ProcessId));

        }
        ContainerProcessCheck.NoneLeft();
    }

    [Fact]
    public async Task A_container_process_whose_agent_is_killed_is_killed_with_it()
    {
        // A stand-in agent: a shell that starts the real container host as its child, naming itself as the parent, and
        // waits. The host gets the shell's stdin (fd 3: a background job's own stdin would be /dev/null), whose write
        // end this test holds open, so the host is blocked reading its start frame and has no reason of its own to end:
        // only PR_SET_PDEATHSIG can end it once the shell dies.
        var host = ContainerHostLocator.Locate(null);
        var command = string.Join(' ', new[] { host.FileName }.Concat(host.PrefixArguments).Select(a => $"'{a}'"));
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec 3<&0; {command} --parent-pid $$ --container orphan <&3 3<&- & echo $!; wait");
        using var agent = Process.Start(info)!;
        var child = int.Parse(await agent.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? "", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // The limits come first, before the host reads a byte; the open-files limit is the last of them, PDEATHSIG the first.
            Wait.Until(() => Limit(child, "Max open files") == ("256", "256"), "the container host applying its limits");
            Assert.True(NoNewPrivs(child));
            Assert.Equal(("256", "256"), Limit(child, "Max open files"));
            Assert.False(Gone(child));

            agent.Kill(); // SIGKILL of the agent alone, not of its tree
            await agent.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Wait.Until(() => Gone(child), "the container host to die with its agent");
        }
        finally
        {
            if (!Gone(child)) Process.GetProcessById(child).Kill();
        }
    }

    /// <summary>No such process, or only its zombie (a child of the dead shell waits for init to reap it).</summary>
    private static bool Gone(int pid)
    {
        try
        {
            var stat = Proc(pid, "stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _device.Dispose();
}
