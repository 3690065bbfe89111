using System.Runtime.InteropServices;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.EndToEnd.Tests;

/// <summary>
/// Issue 6 §6, through real processes only: two samples are built, pushed to our registry (a process on
/// loopback), signed, compiled for this machine's device class and cut into signed bundles; a simulated
/// device (files) installs and runs them with their grants enforced; a bad version is reverted; a good
/// version arrives as a delta and is confirmed. The device process is killed once during an install and
/// once during a trial, and recovers each time like a device after a power cut.
/// </summary>
[Trait("Requires", "process")]
public sealed class LocalDeviceEndToEndTests : IAsyncLifetime
{
    private const string SensorFilter = "sensor-filter";
    private const string Detector = "anomaly-detector";
    private readonly TempFolder _folder = TempFolder.Create("e2e");
    private readonly AtymProcess _atym;
    private AtymRegistryProcess _registry = null!;

    public LocalDeviceEndToEndTests()
    {
        _atym = new AtymProcess(_folder.Path, new Dictionary<string, string>
        {
            ["ATYM_KEY_PASSPHRASE"] = "e2e-test",
            ["SOURCE_DATE_EPOCH"] = "1764000000",
        });
    }

    private static string DeviceClass => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "linux-x86_64",
        Architecture.Arm64 => "linux-aarch64",
        _ => "portable-pulley64",
    };

    private string Data => _folder.File("device");

    public async Task InitializeAsync()
    {
        _registry = await AtymRegistryProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _folder.Dispose();
    }

    private string Ref(string name, string version) => $"{_registry.HostPort}/samples/{name}:{version}";

    private async Task<string> Bundle(string name, string version, string file, string? from = null, params string[] extra)
    {
        var path = _folder.File(file);
        string[] args = ["bundle", Ref(name, version), "--device-class", DeviceClass, "--key", "dev.key", "--trust", "dev.pub", "--output", path];
        if (from is not null) args = [.. args, "--from", Ref(name, from)];
        await _atym.Ok([.. args, .. extra]);
        return path;
    }

    private Task<string> RunUntilSettled() =>
        _atym.Ok("device", "run", "--data", Data, "--until-settled", "--settle-quiet", "00:00:01", "--trace", "#");

    [Fact]
    public async Task Two_samples_from_the_registry_to_a_device_revert_a_bad_version_confirm_a_delta_and_survive_kills()
    {
        // Build → push → sign → compile, all through `atym`.
        await _atym.Ok("keygen", "dev");
        foreach (var (sample, name, version) in new[]
        {
            ("sensor-filter", SensorFilter, "1.0.0"), ("sensor-filter-v1.1.0", SensorFilter, "1.1.0"),
            ("sensor-filter-bad", SensorFilter, "1.2.0"), ("anomaly-detector", Detector, "1.0.0"),
        })
        {
            var layout = Path.Combine(_folder.Path, "layouts", sample);
            await _atym.Ok("build", Path.Combine(RepositoryRoot.Samples, sample), "-o", layout);
            await _atym.Ok("copy", $"oci:{layout}:{version}", Ref(name, version));
            await _atym.Ok("sign", Ref(name, version), "--key", "dev.key");
        }
        Assert.Contains("Verified", await _atym.Ok("verify", Ref(SensorFilter, "1.0.0"), "--key", "dev.pub"), StringComparison.Ordinal);
        Assert.Contains("Compiled", await _atym.Ok("compile", Ref(SensorFilter, "1.0.0"), "--device-class", DeviceClass, "--key", "dev.key"), StringComparison.Ordinal);

        var sf100 = await Bundle(SensorFilter, "1.0.0", "sf-1.0.0.bundle");
        var ad100 = await Bundle(Detector, "1.0.0", "ad-1.0.0.bundle");
        // The same detector, but the signed deployment does not grant its model blob.
        var adNoModel = await Bundle(Detector, "1.0.0", "ad-no-model.bundle", null,
            "--grant", "log", "--grant", "sensor:vib0", "--grant", "sensor:temp0", "--grant", "publish:alerts/anomaly");
        var sfBad = await Bundle(SensorFilter, "1.2.0", "sf-1.2.0.bundle", from: "1.0.0");
        var sf110 = await Bundle(SensorFilter, "1.1.0", "sf-1.1.0.bundle", from: "1.0.0");

        await _atym.Ok("device", "init", "--profile", "host", "--data", Data,
            "--container", SensorFilter + "=1M", "--container", Detector + "=1M", "--trust", "compiler=dev.pub");

        // Kill the device process in the middle of writing a slot (slow flash makes the write last seconds).
        var installing = _atym.Start("device", "install", sf100, "--data", Data, "--flash-op-delay", "00:00:00.020");
        await installing.WaitForLogAsync("Installing", TimeSpan.FromSeconds(60));
        // Kill once the install is writing: the Installing record and the slot erases reach the flash file one
        // operation at a time (20 ms each), each moving its modification time.
        await Wait.ForWritesAsync(Path.Combine(Data, "flash.img"), 3, "the install to write to the flash file", TimeSpan.FromSeconds(60));
        await installing.KillAsync();
        Assert.DoesNotContain("Installed", installing.Log, StringComparison.Ordinal);
        var afterCut = await DeviceStatusJson.Read(_atym, Data);
        Assert.True(afterCut.State(SensorFilter) == "installing", $"expected the install to be cut mid-write:\n{afterCut}");

        // It recovers: the same bundle installs, both first versions pass their trials.
        Assert.Contains("Installed", await _atym.Ok("device", "install", sf100, "--data", Data), StringComparison.Ordinal);
        Assert.Contains("Installed", await _atym.Ok("device", "install", ad100, "--data", Data), StringComparison.Ordinal);
        var firstRun = await RunUntilSettled();
        Assert.Contains("trial of 1.0.0 passed: confirmed", firstRun, StringComparison.Ordinal);
        Assert.Contains($"{SensorFilter} info (bus): telemetry/temp {{", firstRun, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Detector} error", firstRun, StringComparison.Ordinal);
        var confirmed = await DeviceStatusJson.Read(_atym, Data);
        Assert.Equal(("confirmed", "confirmed"), (confirmed.State(SensorFilter), confirmed.State(Detector)));

        // Grants are enforced from the signed deployment: without blob:model the detector's blob import is not linked.
        await _atym.Ok("device", "install", adNoModel, "--data", Data);
        await RunUntilSettled();
        var noModel = await DeviceStatusJson.Read(_atym, Data);
        var refusedTrial = noModel.LastTrial(Detector);
        Assert.Equal("failed", refusedTrial.GetProperty("verdict").GetString());
        Assert.Contains("blob", refusedTrial.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(("reverted", "1.0.0"), (noModel.State(Detector), noModel.ConfirmedVersion(Detector)));

        // A version whose health probe fails is reverted and the old one runs again.
        await _atym.Ok("device", "install", sfBad, "--data", Data);
        var badRun = await RunUntilSettled();
        Assert.Contains("trial of 1.2.0 failed: reverted; running 1.0.0 (health probe failed: probe returned 3", badRun, StringComparison.Ordinal);
        Assert.Equal("1.0.0", (await DeviceStatusJson.Read(_atym, Data)).ConfirmedVersion(SensorFilter));

        // A good version as a delta; the device is killed during its trial and finishes the trial on the next power-on.
        var delta = await _atym.Ok("device", "install", sf110, "--data", Data);
        Assert.Contains("delta bundle", delta, StringComparison.Ordinal);
        var trialRun = _atym.Start("device", "run", "--data", Data);
        await trialRun.WaitForLogAsync("boot: trial of 1.1.0", TimeSpan.FromSeconds(60));
        await trialRun.KillAsync();
        var midTrial = await DeviceStatusJson.Read(_atym, Data);
        Assert.Equal(("trialbooted", 2), (midTrial.State(SensorFilter), midTrial.AttemptsLeft(SensorFilter)));
        Assert.Contains("trial of 1.1.0 passed: confirmed", await RunUntilSettled(), StringComparison.Ordinal);
        var final = await DeviceStatusJson.Read(_atym, Data);
        Assert.Equal(("confirmed", "1.1.0"), (final.State(SensorFilter), final.ConfirmedVersion(SensorFilter)));
        Assert.Equal("1.0.0", final.ConfirmedVersion(Detector));
    }
}
