using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Engines;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Isolation;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Permissions;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Isolation;

/// <summary>
/// A container process is not trusted: code that escaped the sandbox controls every byte it sends. The agent checks
/// grants, log limits and values itself, and a process that breaks the protocol or ends without an outcome is a trap.
/// </summary>
[Collection(ContainerProcessCollection.Name)]
public sealed class HostileChildTests : IDisposable
{
    private readonly TestDevice _device = new(realTime: true);

    private DeviceCallServer Server(params string[] grants) =>
        new(new LocalDeviceCalls("victim", GrantedPermissions.Parse(grants), BlobSet.Empty, _device.Services, LogLimits.Default with { LinesPerSecond = 5, Burst = 5 }));

    [Fact]
    public void Calls_are_checked_against_the_grants_on_the_agent_side()
    {
        var server = Server("publish:telemetry/temp", "sensor:temp0");
        using var sub = _device.Bus.Subscribe("test", "#");
        // The child's own checks are bypassed: these frames come straight from "the child".
        Assert.Equal(-1, server.Handle(CallMessage.Of(CallOp.Publish, text1: "alerts/fire", data1: [1]), default)!.Code);
        Assert.Equal(-1, server.Handle(CallMessage.Of(CallOp.SensorRead, text1: "humidity0"), default)!.Code);
        Assert.Equal(-1, server.Handle(CallMessage.Of(CallOp.GpioWrite, int1: 3, int2: 1), default)!.Code);
        Assert.Equal(-1, server.Handle(CallMessage.Of(CallOp.BlobSize, text1: "model"), default)!.Code);
        Assert.Equal(-1, server.Handle(CallMessage.Of(CallOp.Subscribe, text1: "#"), default)!.Code);
        Assert.Equal(0, sub.Pending);
        Assert.Equal(0, server.Handle(CallMessage.Of(CallOp.Publish, text1: "telemetry/temp", data1: [1]), default)!.Code);
        Assert.Equal(1, sub.Pending);
        Assert.Empty(_device.Gpio.Writes);
    }

    [Fact]
    public void Log_lines_from_a_child_are_rate_limited_and_cut_by_the_agent()
    {
        var server = Server();
        for (var i = 0; i < 100; i++)
            Assert.Null(server.Handle(CallMessage.Of(CallOp.GuestLog, int1: 1, text1: "log", text2: new string('x', 5000)), default));
        var lines = _device.Log.For("victim").Where(r => r.Source == "log").ToList();
        Assert.Equal(5, lines.Count);
        Assert.All(lines, l => Assert.Contains("…[truncated", l.Message, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(System.Text.Encoding.UTF8.GetByteCount(l.Message) < LogLimits.Default.MaxLineBytes + 64));
    }

    [Theory]
    [InlineData(CallOp.GuestLog, "runtime", 0L)]
    [InlineData(CallOp.GuestLog, "bus", 0L)]
    [InlineData(CallOp.GuestLog, "log", -5L)]
    [InlineData(CallOp.Sleep, "", -1L)]
    [InlineData(CallOp.Sleep, "", long.MaxValue)]
    public void Values_only_a_broken_child_sends_are_protocol_violations(CallOp op, string text1, long number)
    {
        var e = Assert.Throws<IpcProtocolException>(() => Server().Handle(CallMessage.Of(op, text1: text1, number: number), default));
        Assert.Equal(IpcProblemCodes.InvalidValue, e.Code);
        Assert.Empty(_device.Log.For("victim"));
    }

    private string HostScript(string name, string body)
    {
        var path = Path.Combine(_device.Directory, $"{ContainerHostLocator.AssemblyName}-{name}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private ContainerSupervisor RunUnder(string hostPath)
    {
        var options = new RuntimeOptions { ContainerHostPath = hostPath, Isolation = ContainerIsolation.Process };
        var runtime = _device.Runtime(EngineProfile.For(DeviceClassTable.LinuxX86_64), options);
        _runtimes.Add(runtime);
        var spec = TestSpecs.Spec(TestSpecs.Config("victim"), TestSpecs.Wat("victim", "(module (memory (export \"memory\") 1) (func (export \"atym_step\") (result i32) (i32.const 0)))"));
        var supervisor = runtime.Start(spec);
        Wait.Until(() => supervisor.IsFinished, "the container process's end");
        return supervisor;
    }

    private readonly List<ContainerRuntime> _runtimes = [];

    [Fact]
    public void A_child_that_sends_an_oversized_frame_is_killed_and_its_run_is_a_trap()
    {
        var s = RunUnder(HostScript("oversized", "printf '\\377\\377\\377\\177'\nwhile :; do sleep 1; done"));
        Assert.True(s.LastOutcome!.Kind == OutcomeKind.Trapped, s.LastOutcome.ToString());
        Assert.Contains("broke the IPC protocol", s.LastOutcome.Message, StringComparison.Ordinal);
        Assert.Contains(IpcProblemCodes.FrameTooLarge, s.LastOutcome.Message, StringComparison.Ordinal);
        Assert.Empty(ContainerProcessCheck.ChildrenRunningTheHost());
    }

    [Fact]
    public void A_child_that_exits_without_an_outcome_is_a_trap_and_its_stderr_reaches_the_log()
    {
        var s = RunUnder(HostScript("exits", "echo 'native code went wrong' >&2\nexit 3"));
        Assert.True(s.LastOutcome!.Kind == OutcomeKind.Trapped, s.LastOutcome.ToString());
        Assert.Contains("ended without reporting an outcome: exit code 3", s.LastOutcome.Message, StringComparison.Ordinal);
        Assert.Contains(_device.Log.For("victim"), r => r.Source == DeviceCallServer.ContainerHostSource && r.Message == "native code went wrong");
    }

    [Fact]
    public void A_child_that_claims_a_stop_nobody_asked_for_is_a_trap()
    {
        // An Ended frame: version 1, type 0x43, id 0, kind Stopped (1), no exit code, message "x".
        var s = RunUnder(HostScript("claims-stop", "printf '\\017\\000\\000\\000\\001\\103\\000\\000\\000\\000\\001\\000\\000\\000\\000\\000\\001\\000x'"));
        Assert.True(s.LastOutcome!.Kind == OutcomeKind.Trapped, s.LastOutcome.ToString());
        Assert.Contains("reported a stop nobody asked for", s.LastOutcome.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var r in _runtimes) r.Dispose();
        ContainerProcessCheck.NoneLeft();
        _device.Dispose();
    }
}
