using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Updates;

namespace AtymSecure.DeviceAgent.Tests.Updates;

/// <summary>The inbox as an update source: only complete bundles are listed, in arrival order, until finished.</summary>
public sealed class DeviceInboxTests : IDisposable
{
    private readonly DeviceFixture _device = new("sensor-filter");

    public void Dispose() => _device.Dispose();

    [Fact]
    public void Queued_bundles_are_ready_in_arrival_order_byte_for_byte_and_gone_once_finished()
    {
        var directory = new DeviceDirectory(_device.Data);
        var inbox = new DeviceInbox(directory);
        var first = _device.Bundles.Full(TestBundles.Image("sensor-filter"));
        var second = _device.Bundles.Full(TestBundles.Image("sensor-filter-v1.1.0"));
        var queuedFirst = inbox.Enqueue(first);
        var queuedSecond = inbox.Enqueue(second);

        var ready = inbox.Ready();
        Assert.Equal([queuedFirst, queuedSecond], ready.Select(u => u.BundleFile).ToArray());
        Assert.Equal(Path.GetFileName(queuedFirst), ready[0].Name);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(queuedFirst));

        var result = _device.Install(queuedFirst);
        inbox.Finished(ready[0], result);
        Assert.Equal([queuedSecond], inbox.Ready().Select(u => u.BundleFile).ToArray());
    }

    [Fact]
    public void Partial_copies_left_by_a_killed_enqueue_are_never_ready()
    {
        var directory = new DeviceDirectory(_device.Data);
        // What a kill mid-copy leaves: today's temp file of the atomic write, and the ".part" name earlier versions used.
        File.WriteAllBytes(Path.Combine(directory.InboxDirectory, ".20250101T000000-x.bundle.tmp-0123456789abcdef0123456789abcdef"), new byte[100]);
        File.WriteAllBytes(Path.Combine(directory.InboxDirectory, "20250101T000000-y.bundle.part"), new byte[100]);
        Assert.Empty(new DeviceInbox(directory).Ready());
    }

    [Fact]
    public void Bundles_that_are_missing_or_too_large_are_not_queued()
    {
        var inbox = new DeviceInbox(new DeviceDirectory(_device.Data));
        Assert.Throws<FileNotFoundException>(() => inbox.Enqueue(Path.Combine(_device.Root, "missing.bundle")));
        var huge = Path.Combine(_device.Root, "huge.bundle");
        using (var stream = File.Create(huge)) stream.SetLength(BundleFileInstaller.MaxBundleBytes + 1);
        Assert.Contains("above", Assert.Throws<ArgumentException>(() => inbox.Enqueue(huge)).Message, StringComparison.Ordinal);
        Assert.Empty(inbox.Ready());
    }
}
