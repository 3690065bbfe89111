using System.Net.Http.Json;
using System.Text.Json;
using AtymSecure.Cli.Ota;
using AtymSecure.Cli.Up;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.Fleet;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AtymSecure.OtaDashboard.Tests.Browser;

/// <summary>
/// The dashboard in a real browser (Debian's chromium, headless, through Playwright) against atym up's stack in this
/// process (registry, OTA server, TUF roots, signed samples) and a simulated fleet of six real device agents, one with a
/// broken sensor: log in by keyboard, find a device, create a deployment of 1.1.0 with two canaries, watch it roll out
/// live, see it halt on the broken device's failed health probe with the reason, press roll back and see the devices
/// that took 1.1.0 return to 1.0.0. Each step's screenshot is written to artifacts/dashboard/; axe-core (tests/node) checks
/// every page; the first load's bytes come from the network log; the server→page latency of live updates is printed.
/// </summary>
[Trait("Requires", "chromium")]
public sealed class DashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private static readonly float Timeout = (float)Deadline.TotalMilliseconds;
    private static readonly string[] Classes = [DeviceProfile.Find(DeviceProfile.Host).DeviceClass.Name, "portable-pulley64"];

    private readonly TempFolder _folder = TempFolder.Create("dashboard-browser");
    private readonly string _shots = Path.Combine(RepositoryRoot.Path, "artifacts", "dashboard");
    private LocalStack _stack = null!;
    private OtaApiClient _api = null!;
    private FleetSimulator _fleet = null!;
    private string _v1 = "", _v11 = "";

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (scripts/test-deps.sh installs it)");
        Directory.CreateDirectory(_shots);
        var state = new UpState(_folder.Path);
        var vendorKey = await SamplePublisher.EnsureVendorKeyAsync(state, default);
        _stack = await LocalStack.StartAsync(state, vendorKey, 0, 0, TimeSpan.FromSeconds(1), default);
        var roots = await TufBootstrap.EnsureAsync(state, _stack, Classes, vendorKey, default);
        // The demo's samples with a patient health check: six agents, a browser and a build beside them on two cores make the
        // samples' 200 ms probe deadline miss, and a good 1.1.0 would fail its trial.
        var samplesFolder = _folder.Folder("samples");
        foreach (var sample in SamplePublisher.Samples) SampleCopy.Make(sample.Folder, Path.Combine(samplesFolder, sample.Folder), patientHealth: true);
        var samples = await SamplePublisher.PublishAsync(state, _stack.RegistryHost, samplesFolder, default);
        await TufBootstrap.ListSourcesAsync(state, _stack, samples, default);
        _api = new OtaApiClient(_stack.OtaUrl, _stack.AdminToken);
        var demo = new DemoOperator(_api);
        var enrollment = await demo.EnrollmentTokenAsync(state, default);
        _v1 = await demo.ReleaseAsync(samples[0].Reference, "1.0.0", Classes, default);
        _v11 = await demo.ReleaseAsync(samples[1].Reference, "1.1.0", Classes, default);
        _fleet = FleetSimulator.Start(new FleetOptions
        {
            Server = _stack.OtaUrl, Devices = 6, Profiles = Classes, Roots = roots, EnrollmentToken = enrollment,
            DataDirectory = _folder.Folder("fleet"), Faults = [FleetFault.Parse("failing-health:1")], InitialPollInterval = TimeSpan.FromSeconds(1),
        });
        await Wait.UntilAsync(() => _fleet.Devices.All(d => d.Enrolled), "all 6 devices to enrol", Deadline);
    }

    [Fact]
    public async Task An_operator_logs_in_finds_a_device_deploys_with_canaries_sees_the_halt_and_its_reason_and_rolls_back()
    {
        // Groups make the wave order known: round-robin over a, b, c puts the healthy h0 (a) and h1 (b) first — the canaries —
        // and the broken device (c) third, in the wave after them.
        var broken = _fleet.Devices.Single(d => d.Faults.Contains("failinghealth", StringComparison.Ordinal)).DeviceId!;
        var healthy = _fleet.Devices.Select(d => d.DeviceId!).Where(id => id != broken).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < healthy.Count; i++) await _api.SendAsync(HttpMethod.Put, $"api/v1/devices/{healthy[i]}/groups", new { groups = new[] { i % 2 == 0 ? "a" : "b" } }, default);
        await _api.SendAsync(HttpMethod.Put, $"api/v1/devices/{broken}/groups", new { groups = new[] { "c" } }, default);
        await _api.SendAsync(HttpMethod.Post, "api/v1/deployments", new { releaseId = _v1, target = new { groups = new[] { "a", "b", "c" } }, halt = new { failures = 100 } }, default);
        await Wait.UntilAsync(() => _fleet.Summary().ConfirmedOf("sensor-filter", "1.0.0") == 5, "the 5 healthy devices to confirm 1.0.0", Deadline);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // Playwright's defaults (30 s actions and navigations, 5 s expectations) are short on a loaded machine.
        context.SetDefaultTimeout(Timeout);
        context.SetDefaultNavigationTimeout(Timeout);
        Assertions.SetDefaultExpectTimeout(Timeout);
        var page = await context.NewPageAsync();
        var cspViolations = new List<string>();
        page.Console += (_, m) => { if (m.Text.Contains("Content Security Policy", StringComparison.Ordinal)) cspViolations.Add(m.Text); };
        var bytes = new List<(string Url, long Bytes)>();
        page.RequestFinished += async (_, r) => { var sizes = await r.SizesAsync(); lock (bytes) bytes.Add((r.Url, sizes.ResponseBodySize + sizes.ResponseHeadersSize)); };
        var ui = new Uri(_stack.OtaUrl, "ui/");

        // 1. Pages refuse without login: the fleet sends the browser to the login page.
        await page.GotoAsync(new Uri(ui, "devices").AbsoluteUri);
        Assert.EndsWith("/ui/login?returnUrl=%2Fui%2Fdevices", page.Url, StringComparison.Ordinal);
        await Shot(page, "01-login");
        await CheckAccessibility(page, "login");

        // 2. Log in by keyboard: tab to the token field, type, Enter.
        for (var i = 0; i < 5 && await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''") != "token"; i++) await page.Keyboard.PressAsync("Tab");
        Assert.Equal("token", await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''"));
        await page.Keyboard.TypeAsync(_stack.AdminToken);
        // Each navigation's wait starts before the key or click that causes it.
        var loggedIn = page.WaitForURLAsync("**/ui/devices");
        await page.Keyboard.PressAsync("Enter");
        await loggedIn;
        await Assertions.Expect(page.Locator("table[aria-label=Devices] tbody tr")).ToHaveCountAsync(6);
        await Shot(page, "02-fleet");
        await CheckAccessibility(page, "fleet");

        // 3. Find a device by its id's start, open it.
        await page.FillAsync("#q", healthy[0][..12]);
        var searched = page.WaitForURLAsync(u => u.Contains("/ui/devices?", StringComparison.Ordinal));
        await page.ClickAsync("form.filters button");
        await searched;
        await Assertions.Expect(page.Locator($"a[href='/ui/devices/{healthy[0]}']")).ToBeVisibleAsync();
        await Shot(page, "03-device-search");
        var opened = page.WaitForURLAsync($"**/ui/devices/{healthy[0]}");
        await page.ClickAsync($"a[href='/ui/devices/{healthy[0]}']");
        await opened;
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Device {healthy[0]}");
        await Assertions.Expect(page.Locator("table[aria-label='Containers and slots']")).ToContainTextAsync("1.0.0");
        await Shot(page, "04-device");
        await CheckAccessibility(page, "device");

        // 4. Create a deployment of 1.1.0 with two canaries, halting on the first failure.
        var deployments = page.WaitForURLAsync("**/ui/deployments");
        await page.ClickAsync("nav a[href='/ui/deployments']");
        await deployments;
        await page.SelectOptionAsync("#releaseId", _v11);
        await page.FillAsync("#groups", "a, b, c");
        await page.FillAsync("#canary", "2");
        await page.FillAsync("#waves", "100%");
        await page.FillAsync("#haltFailures", "1");
        await Shot(page, "05-new-deployment");
        await CheckAccessibility(page, "deployments");
        var created = page.WaitForURLAsync("**/ui/deployments/dep-*");
        await page.ClickAsync("form.deploy button[type=submit]");
        await created;
        var deployment = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        // 5. Watch it roll out live (no reload): the canaries confirm, then the next wave is offered.
        await Assertions.Expect(page.Locator("#waves tr[data-wave='0'] td").Nth(5)).ToHaveTextAsync("2");
        await Shot(page, "06-canaries-confirmed");

        // 6. The broken device fails its trial: the page shows the halt, its rule and the probe's reason.
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("halted");
        await Assertions.Expect(page.Locator("#halt")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#halt-devices")).ToContainTextAsync(broken);
        await Assertions.Expect(page.Locator("#halt-devices")).ToContainTextAsync("trial-failed");
        var haltText = await page.Locator("#halt").InnerTextAsync();
        output.WriteLine("halt as shown: " + haltText.ReplaceLineEndings(" | "));
        await Shot(page, "07-halted");
        await CheckAccessibility(page, "rollout");
        var latencies = await page.EvaluateAsync<long[]>("() => window.atymRollout.latencies");
        Assert.NotEmpty(latencies);
        output.WriteLine($"live updates: {latencies.Length} changes reached the page; server→page latency ms: min {latencies.Min()}, median {latencies.Order().ElementAt(latencies.Length / 2)}, max {latencies.Max()}");

        // 7. Roll back: a rollback deployment returns the devices that took 1.1.0 to 1.0.0.
        var took = _fleet.Summary().ConfirmedOf("sensor-filter", "1.1.0");
        Assert.True(took >= 2, $"the canaries confirmed 1.1.0 ({took})");
        var rollback = page.WaitForURLAsync(u => u.Contains("/ui/deployments/dep-", StringComparison.Ordinal) && !u.EndsWith(deployment, StringComparison.Ordinal));
        await page.ClickAsync("form[data-action=rollback] button");
        await rollback;
        await Assertions.Expect(page.Locator("#rollback-of")).ToContainTextAsync(deployment);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("completed");
        try
        {
            await Wait.UntilAsync(() => _fleet.Summary().ConfirmedOf("sensor-filter", "1.1.0") == 0 && _fleet.Summary().ConfirmedOf("sensor-filter", "1.0.0") == 5,
                "every healthy device back on 1.0.0", Deadline);
        }
        catch (TimeoutException e)
        {
            // The fleet's own view says which device did not come back (and on what), not just that one did not.
            throw new TimeoutException($"{e.Message}; fleet: {_fleet.Summary()}", e);
        }
        await Shot(page, "08-rolled-back");
        output.WriteLine(_fleet.Summary().ToString());
        Assert.Empty(cspViolations);

        // First load of a page in a fresh browser (empty cache): everything it fetched, from the network log.
        var fresh = await browser.NewContextAsync();
        fresh.SetDefaultTimeout(Timeout);
        fresh.SetDefaultNavigationTimeout(Timeout);
        var first = await fresh.NewPageAsync();
        var firstBytes = new List<long>();
        first.RequestFinished += async (_, r) => { var sizes = await r.SizesAsync(); lock (firstBytes) firstBytes.Add(sizes.ResponseBodySize + sizes.ResponseHeadersSize); };
        var cookies = await context.CookiesAsync();
        await fresh.AddCookiesAsync(cookies.Where(c => c.Name == "atym-ui-session").Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
        await first.GotoAsync(new Uri(ui, "deployments/" + deployment).AbsoluteUri, new() { WaitUntil = WaitUntilState.NetworkIdle });
        long total;
        lock (firstBytes) total = firstBytes.Sum();
        output.WriteLine($"first load of the rollout page: {firstBytes.Count} responses, {total / 1024.0:F1} KiB");
        Assert.True(total < 500 * 1024, $"first load {total} bytes, budget 500 KB");
    }

    private async Task Shot(IPage page, string name)
    {
        var path = Path.Combine(_shots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot {Path.GetRelativePath(RepositoryRoot.Path, path)}: {await page.TitleAsync()}");
    }

    /// <summary>axe-core (tests/node) in the page, WCAG 2 A and AA rules: no violation (labels, headings, contrast, names of controls).</summary>
    private async Task CheckAccessibility(IPage page, string what)
    {
        var axe = Path.Combine(RepositoryRoot.Path, "tests", "node", "node_modules", "axe-core", "axe.min.js");
        Assert.True(File.Exists(axe), $"{axe} is missing: run scripts/test-deps.sh (npm ci in tests/node)");
        await page.EvaluateAsync(await File.ReadAllTextAsync(axe));
        var result = await page.EvaluateAsync<JsonElement>("async () => { const r = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }); " +
            "return r.violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')'); }");
        var violations = result.EnumerateArray().Select(v => v.GetString()!).ToList();
        output.WriteLine($"axe on {what}: {violations.Count} violations");
        Assert.True(violations.Count == 0, $"axe on {what}: " + string.Join("; ", violations));
    }

    public async Task DisposeAsync()
    {
        if (_fleet is not null) await _fleet.DisposeAsync();
        _api?.Dispose();
        if (_stack is not null) await _stack.DisposeAsync();
        _folder.Dispose();
    }
}
