using AtymSecure.TestSupport;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AtymSecure.DeviceAgent;
using AtymSecure.DeviceAgent.Status;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// Issue 11 §6: what <c>atym device …</c> prints when the bundle or the device folder is wrong. Before, an
/// unreadable bundle printed "install refused:   — …" (blank container and version, no file name) and a damaged,
/// unwritable, busy or missing device printed "atym: DeviceDataException: …". Now each names the file and says what is wrong.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class DeviceFolderErrorTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = TempFolder.Create("device-errors");

    public void Dispose() => _temp.Dispose();

    private string Data => Path.Combine(_temp.Path, "dev");

    [GeneratedRegex(@"atym: \w*Exception:")]
    private static partial Regex TypeName();

    private async Task Init()
    {
        var key = Path.Combine(_temp.Path, "trusted.pub");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256)) await File.WriteAllTextAsync(key, ecdsa.ExportSubjectPublicKeyInfoPem());
        var r = await CliRunner.RunAsync("device", "init", "--data", Data, "--container", "app=64K", "--trust", "compiler=" + key).WaitAsync(Deadline);
        Assert.True(r.ExitCode == 0, r.StdErr);
    }

    /// <summary>A worded refusal: exit 1, one "atym: " line naming <paramref name="names"/>, no exception type name.</summary>
    private static async Task<string> Worded(string names, params string[] args)
    {
        var r = await CliRunner.RunAsync(args).WaitAsync(Deadline);
        Assert.True(r.ExitCode == 1, $"atym {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}{r.StdOut}");
        Assert.StartsWith("atym: ", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotMatch(TypeName(), r.StdErr);
        Assert.Contains(names, r.StdErr, StringComparison.Ordinal);
        return r.StdErr;
    }

    private string[] RunBriefly() => ["device", "run", "--data", Data, "--duration", "00:00:00.1"];

    [Fact]
    public async Task An_unparseable_bundle_is_refused_naming_the_file_and_what_is_wrong()
    {
        await Init();
        var bad = Path.Combine(_temp.Path, "bad.bundle");
        await File.WriteAllTextAsync(bad, "this is not a bundle");

        var stderr = await Worded("install refused: bad.bundle — not a valid bundle: ", "device", "install", bad, "--data", Data);
        Assert.DoesNotContain("  ", stderr, StringComparison.Ordinal); // no blank container/version fields

        var install = DeviceStatusQuery.Read(Data).Installs.Single();
        Assert.Equal(("bad.bundle", InstallResult.Refused), (install.Bundle, install.Result));
        Assert.StartsWith("not a valid bundle: ", install.Detail, StringComparison.Ordinal);
        Assert.True(install.Detail.Length > "not a valid bundle: ".Length, install.Detail);
        // Unknown rather than empty: status.json keeps null here (format 1, its goldens), never "".
        Assert.Null(install.Container);
        Assert.Null(install.Version);

        // The status table names the file and the reason, without blank container/version fields.
        var status = await CliRunner.RunAsync("device", "status", "--data", Data);
        var line = Assert.Single(status.StdOut.Split('\n'), l => l.StartsWith("Install ", StringComparison.Ordinal));
        Assert.Contains("bad.bundle: refused (not a valid", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_device_folder_is_a_worded_error() =>
        await Worded("is not a device (no device.json)", RunBriefly());

    [Fact]
    public async Task A_damaged_flash_file_is_a_worded_error()
    {
        await Init();
        var flash = new DeviceDirectory(Data).FlashFile;
        await File.WriteAllBytesAsync(flash, (await File.ReadAllBytesAsync(flash))[..100]);
        await Worded($"flash file {flash} is damaged", RunBriefly());
    }

    [Fact]
    public async Task A_flash_file_that_cannot_be_opened_for_writing_is_a_worded_error()
    {
        await Init();
        // Tests run as root, for whom a read-only mode is no obstacle; a directory in the file's place cannot be opened for writing either.
        var flash = new DeviceDirectory(Data).FlashFile;
        File.Delete(flash);
        Directory.CreateDirectory(flash);
        await Worded($"flash file {flash} cannot be opened for reading and writing", RunBriefly());
    }

    [Fact]
    public async Task A_busy_device_is_a_worded_error()
    {
        await Init();
        using var held = LocalDevice.Open(Data);
        await Worded("in use", RunBriefly());
    }
}
