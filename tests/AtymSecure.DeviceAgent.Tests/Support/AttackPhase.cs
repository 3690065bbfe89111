using AtymSecure.Bootloader.State;
using AtymSecure.Formats.DeviceProtocol;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// What an attack test proves about a device that runs a confirmed version (issue 13 §4, docs/trust-model.md §5): it
/// reported the specific reason, still runs the version it had, fetched no bundle, and not one byte of any slot in the
/// flash file changed. Taken with the device stopped, before the attack; checked with it stopped, after.
/// </summary>
internal sealed class AttackPhase
{
    private readonly ProductionDevice _device;
    private readonly string[] _slots;
    private readonly int _reports;
    private readonly int _requests;
    private readonly string? _version;

    private AttackPhase(ProductionDevice device)
    {
        _device = device;
        _slots = device.SlotDigests();
        _reports = device.Server.Reports.Count;
        _requests = device.Server.Requests.Count;
        var container = device.ContainerStatus();
        _version = container.VersionIn(container.ConfirmedSlot) ?? throw new InvalidOperationException("an attack phase starts on a device that runs a confirmed version");
    }

    public static AttackPhase Begin(ProductionDevice device) => new(device);

    /// <summary>Reports sent since the attack began.</summary>
    public IEnumerable<VersionReport> Reports => _device.Server.Reports.Skip(_reports);

    /// <summary>Requests for bundle bytes since the attack began.</summary>
    public IEnumerable<HttpExchange> BundleRequests => _device.Server.Requests.Skip(_requests).Where(r => r.Path.StartsWith("/bundles/", StringComparison.Ordinal));

    /// <summary>The first report since the attack began whose last refusal is <paramref name="code"/>, or null.</summary>
    public RefusalReport? Refusal(string code) => Reports.Select(r => r.LastRefusal).FirstOrDefault(r => r?.Code == code);

    /// <summary>Runs the device until it reports <paramref name="code"/>, then asserts everything the attack must leave as it was.</summary>
    /// <param name="bundleFetched">The attack is on the bundle download itself (endless data): the device did ask for the
    /// bundle, and refused it before the bootloader saw a byte, so no partial file is left either.</param>
    public async Task<RefusalReport> RunUntilRefused(string code, int step, string? role, bool bundleFetched = false)
    {
        await _device.RunUntil(() => Refusal(code) is not null, $"a report of {code}");
        return AssertRefused(code, step, role, bundleFetched);
    }

    /// <summary>The device (stopped) reported <paramref name="code"/> at <paramref name="step"/> for <paramref name="role"/>, and nothing changed.</summary>
    public RefusalReport AssertRefused(string code, int step, string? role, bool bundleFetched = false)
    {
        var refusal = Refusal(code) ?? throw new Xunit.Sdk.XunitException($"no report of {code}");
        Assert.Equal((step, role), ((int)refusal.Step, refusal.Role));
        AssertUnchanged(bundleFetched);
        return refusal;
    }

    /// <summary>Still the confirmed version it ran before, no bundle fetched (unless <paramref name="bundleFetched"/>), every slot byte for byte as before.</summary>
    public void AssertUnchanged(bool bundleFetched = false)
    {
        var container = _device.ContainerStatus();
        Assert.Equal(ContainerState.Confirmed, container.State);
        Assert.Equal(_version, container.VersionIn(container.ConfirmedSlot));
        if (bundleFetched)
        {
            Assert.NotEmpty(BundleRequests);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(_device.Data, "downloads")));
        }
        else
        {
            Assert.Empty(BundleRequests);
        }
        Assert.Equal(_slots, _device.SlotDigests());
        Assert.All(Reports, r => Assert.Null(r.Containers.Single().Trial));
    }
}
