using AtymSecure.TestSupport;
using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.PowerCuts;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.FilePort;

namespace AtymSecure.Bootloader.Tests.Flash;

/// <summary>The real bootloader on a <see cref="FileBackedFlash"/>: state survives the process, and a kill between any two operations recovers.</summary>
public sealed class FileBackedFlashBootloaderTests : IDisposable
{
    private const string App = Scenarios.App;
    private readonly TempFolder _temp = TempFolder.Create("fileflash-bl");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Provisioned_installed_and_booted_state_is_the_same_after_closing_and_reopening_the_file()
    {
        var path = Path.Combine(_temp.Path, "device.flash");
        ContainerSlotRequest[] containers = [new(App, 16 * 1024)];
        var geometry = FlashProfile.Stm32U5Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Stm32U5Like, containers));
        var key = DeviceKey.Generate();
        var options = SimDevice.DefaultOptions(1024);
        var v1 = TestImages.Random(9_000, 1);
        var v2 = TestImages.Evolve(v1, 2, 10_000);
        var signer = TestImageSigner.Shared;
        string before;
        using (var flash = FileBackedFlash.Create(path, geometry))
        {
            DeviceBootloader.Provision(flash, LayoutPlanner.Plan(geometry, containers));
            DeviceBootloader.Open(flash, key, options).Install(signer.Full(App, v1, "1.0.0", 1), TestImageSigner.SharedPreCheck);
            var bl = DeviceBootloader.Open(flash, key, options);
            Assert.Equal(BootOutcome.Trial, bl.Boot()[App].Outcome);
            bl.Confirm(App);
            DeviceBootloader.Open(flash, key, options).Install(signer.Full(App, v2, "2.0.0", 2), TestImageSigner.SharedPreCheck);
            before = DeviceBootloader.Open(flash, key, options).State(App).ToString();
            flash.Sync();
        }

        // "Process restart": only the file is left.
        using var reopened = FileBackedFlash.Open(path);
        var again = DeviceBootloader.Open(reopened, key, options);
        Assert.Equal(before, again.State(App).ToString());
        Assert.Equal(ContainerState.Pending, again.State(App).State);
        var report = again.Boot();
        Assert.Equal(BootOutcome.Trial, report[App].Outcome);
        Assert.Equal(v2, again.OpenImage(App, report[App].RunningSlot).ReadAll());
        again.Confirm(App);
        Assert.Equal(ContainerState.Confirmed, DeviceBootloader.Open(reopened, key, options).State(App).State);
    }

    /// <summary>
    /// A full update on the file-backed part, with the file copied before every flash operation (the
    /// kill points). Every copy must boot straight from the file into the old or the new image, and,
    /// handed to the power-cut harness's invariant checks (via an identical simulated part), finish
    /// the update into the same final state as an uninterrupted run.
    /// </summary>
    [Theory]
    [InlineData("nrf52", 4, 0xFF)]
    [InlineData("stm32u5", 16, 0x00)]
    public void A_kill_between_any_two_flash_operations_recovers_to_the_old_or_the_new_image(string profileName, int alignment, byte erased)
    {
        var scenario = Scenarios.Create("full-update", 6 * 1024);
        var device = SimDevice.Create(FlashProfile.Find(profileName), scenario.Containers, writeAlignment: alignment, erasedValue: erased);
        var setup = new ScenarioContext(device, new ScenarioImages(), TestImageSigner.Shared, TestImageSigner.SharedPreCheck);
        scenario.Setup(setup);
        device.FillStateLog(freeSlots: 3); // so the log compacts during the update, under kills too
        var clean = device.Fork();
        var cleanFinal = RunToGoal(scenario, setup.ForkFor(clean));
        var cleanOperations = clean.Flash.OperationCount - device.Flash.OperationCount;

        var update = TestImageSigner.Shared.Full(App, setup.Images.Allowed(App)[1], "2.0.0", 2);
        var snapshots = Path.Combine(_temp.Path, "kills");
        Directory.CreateDirectory(snapshots);
        using (var file = CopyToFile(device.Flash, Path.Combine(_temp.Path, "device.flash")))
        {
            var recorder = new SnapshotBeforeEachOperation(file, snapshots);
            DeviceBootloader Power() => DeviceBootloader.Open(recorder, device.Key, device.Options);
            var bl = Power();
            bl.Boot();
            bl.Install(update, TestImageSigner.SharedPreCheck);
            bl = Power();
            Assert.Equal(BootOutcome.Trial, bl.Boot()[App].Outcome);
            bl.Confirm(App);
            Power().Boot();
            Assert.Equal(ContainerState.Confirmed, Power().State(App).State);
            // One kill point per flash operation of the update, plus the finished state.
            Assert.Equal(cleanOperations, recorder.Snapshots.Count);
            recorder.Snapshot();
        }

        var failures = new List<string>();
        foreach (var snapshot in Directory.GetFiles(snapshots).Order())
        {
            try
            {
                CheckRecovery(snapshot);
            }
            catch (Exception e) when (e is InvariantViolationException or FlashException or InvalidOperationException)
            {
                failures.Add($"{Path.GetFileName(snapshot)}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));

        void CheckRecovery(string snapshot)
        {
            using var killed = FileBackedFlash.Open(snapshot);
            var twin = new SimDevice(ToSimulated(killed), device.Options);

            // Straight from the file: recovery and boot run on the killed file itself.
            var fromFile = DeviceBootloader.Open(killed, device.Key, device.Options);
            var report = fromFile.Boot()[App];
            var running = fromFile.OpenImage(App, report.RunningSlot).ReadAll();
            if (!setup.Images.Allowed(App).Any(image => image.AsSpan().SequenceEqual(running)))
                throw new InvariantViolationException($"the file boots an image that is neither old nor new ({report.Outcome})");

            // The harness on an identical part: every invariant after every power-on, then finish the update.
            var ctx = setup.ForkFor(twin);
            var bl = ctx.PowerOn();
            if (bl.State(App).ToString() != fromFile.State(App).ToString())
                throw new InvariantViolationException($"file and simulated part recovered differently: {fromFile.State(App)} vs {bl.State(App)}");
            var final = RunToGoal(scenario, ctx, bl);
            if (!final.SequenceEqual(cleanFinal))
                throw new InvariantViolationException($"final state {string.Join("; ", final)} differs from the clean run's {string.Join("; ", cleanFinal)}");
        }
    }

    private static IReadOnlyList<string> RunToGoal(PowerCutScenario scenario, ScenarioContext ctx, DeviceBootloader? first = null)
    {
        var bl = first ?? ctx.PowerOn();
        for (var i = 0; i < 20 && !scenario.Step(ctx, bl); i++) bl = ctx.PowerOn();
        return ctx.FinalState();
    }

    /// <summary>A new flash file holding the same content as <paramref name="source"/> (wear is not copied).</summary>
    private static FileBackedFlash CopyToFile(SimulatedNorFlash source, string path)
    {
        var file = FileBackedFlash.Create(path, source.Geometry);
        CopyUnits(source.Content, file);
        return file;
    }

    /// <summary>A simulated part with the same content; units that do not read erased count as programmed.</summary>
    private static SimulatedNorFlash ToSimulated(FileBackedFlash file)
    {
        var content = new byte[file.Geometry.TotalSize];
        file.Read(0, content);
        var sim = new SimulatedNorFlash(file.Geometry);
        CopyUnits(content, sim);
        return sim;
    }

    private static void CopyUnits(ReadOnlySpan<byte> content, IFlash target)
    {
        var g = target.Geometry;
        for (var at = 0; at < content.Length; at += g.WriteAlignment)
        {
            var unit = content.Slice(at, g.WriteAlignment);
            if (unit.ContainsAnyExcept(g.ErasedValue)) target.Program(at, unit);
        }
    }
}
