using AtymSecure.Delivery.Swu;
using AtymSecure.Formats.UpdateMetadata.Offline;
using AtymSecure.OtaReleases.Offline;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaReleases.Tests.Offline;

/// <summary>
/// An offline export packed for an SWUpdate gateway and installed by Debian's SWUpdate (<c>swupdate -i</c>, the real
/// rawfile handler with atomic-install): the tar lands in the configured inbox under a stamped name, whole, and is an
/// export archive the agent takes.
/// </summary>
[Trait("Requires", "openssl")]
[Trait("Requires", "swupdate")]
public sealed class OfflineExportSwuTests : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("export-swu");

    public void Dispose() => _temp.Dispose();

    private static IReadOnlyList<OfflineExportFile> Files() =>
    [
        new("director/1.root.json", "{\"signed\":{}}"u8.ToArray(), null),
        new("director/targets.json", "{\"signed\":{}}"u8.ToArray(), null),
        new("image/timestamp.json", "{}"u8.ToArray(), null),
        new("bundles/sensor-filter/" + new string('a', 64) + ".bundle", new byte[100_000], null),
    ];

    private SwuGatewayOptions Options(string inbox) => new()
    {
        InboxDirectory = inbox,
        HardwareCompatibility = new(["1.0", "1.1"]),
        CertificateFile = SwuTestCertificate.Shared.CertificateFile,
        KeyFile = SwuTestCertificate.Shared.KeyFile,
    };

    [Fact]
    public async Task Swupdate_installs_the_export_into_the_agent_inbox_whole_and_under_a_stamped_name()
    {
        var inbox = _temp.Folder("inbox");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
        var swu = _temp.File("update.swu");
        var options = Options(inbox);
        var manifest = await OfflineExportSwu.WriteAsync(Files(), "1.2.0", options, SwuSigner.FromPemFiles(options.CertificateFile, options.KeyFile), swu, clock);

        var installed = await Swupdate.InstallAsync(swu, SwuTestCertificate.Shared.CertificateFile, "gw:1.1");
        Assert.True(installed.ExitCode == 0, installed.ToString());

        var file = Assert.Single(Directory.EnumerateFiles(inbox));
        Assert.Equal(manifest.Files.Single().Path, file);
        Assert.StartsWith("20261204T1200000000000-atym-export-", Path.GetFileName(file));
        Assert.EndsWith(".tar", file);
        Assert.Equal(4, OfflineExportArchive.Check(file));
        Assert.Equal(manifest.Files.Single().Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))));
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "*.export.tar"));
    }

    [Fact]
    public async Task Swupdate_refuses_it_on_another_revision_and_writes_nothing()
    {
        var inbox = _temp.Folder("inbox");
        var swu = _temp.File("update.swu");
        var options = Options(inbox);
        await OfflineExportSwu.WriteAsync(Files(), "1.2.0", options, SwuSigner.FromPemFiles(options.CertificateFile, options.KeyFile), swu, TimeProvider.System);
        var refused = await Swupdate.InstallAsync(swu, SwuTestCertificate.Shared.CertificateFile, "gw:2.0");
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(inbox));
    }

    [Fact]
    public void Options_report_every_problem()
    {
        var problems = new SwuGatewayOptions { InboxDirectory = "relative/inbox", HardwareCompatibility = EquatableList<string>.Empty, SoftwareSet = "stable" }.Validate();
        Assert.Equal(["ddi.swu.inboxDirectory", "ddi.swu.hardwareCompatibility", "ddi.swu.softwareSet", "ddi.swu.certificateFile", "ddi.swu.keyFile"], problems.Select(p => p.Path));
    }

    private static readonly SwuGatewayOptions Signed = new() { CertificateFile = "/etc/atym/swu-cert.pem", KeyFile = "/etc/atym/swu-key.pem" };

    [Theory]
    [InlineData("/usr/bin/atym", null, "00:10:00", "ddi.swu.atymCommand")]                       // one without the other
    [InlineData("/usr/bin/atym'; reboot; '", "/var/lib/atym/device", "00:10:00", "ddi.swu.atymCommand")] // shell text in a path
    [InlineData("/usr/bin/atym", "/var/lib/atym/../device", "00:10:00", "ddi.swu.deviceDirectory")]
    [InlineData("/usr/bin/atym", "/var/lib/atym/other", "00:10:00", "ddi.swu.inboxDirectory")]   // the inbox is not DIR/inbox
    [InlineData("/usr/bin/atym", "/var/lib/atym/device", "00:00:00", "ddi.swu.verdictTimeout")]
    public void Post_install_options_report_their_problem(string? atym, string? data, string timeout, string path)
    {
        var options = Signed with { AtymCommand = atym, DeviceDirectory = data, VerdictTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Equal([path], options.Validate().Select(p => p.Path));
    }

    [Fact]
    public void The_post_install_script_runs_await_install_for_the_dropped_file_and_nothing_else()
    {
        var options = Signed with { AtymCommand = "/usr/bin/atym", DeviceDirectory = "/var/lib/atym/device", VerdictTimeout = TimeSpan.FromSeconds(90.5) };
        Assert.Empty(options.Validate());
        var script = System.Text.Encoding.ASCII.GetString(OfflineExportSwu.PostInstallScript(options, "20261204T120000-atym-export-0123456789ab.tar"));
        Assert.StartsWith("#!/bin/sh\n", script, StringComparison.Ordinal);
        var commands = script.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal(["exec '/usr/bin/atym' device await-install --data '/var/lib/atym/device' --file '20261204T120000-atym-export-0123456789ab.tar' --timeout 91s"], commands);
        Assert.Throws<ArgumentException>(() => OfflineExportSwu.PostInstallScript(options, "../x.tar"));
        Assert.Throws<ArgumentException>(() => OfflineExportSwu.PostInstallScript(Signed, "x.tar"));
        Assert.False(Signed.AwaitsAgentVerdict);
    }
}
