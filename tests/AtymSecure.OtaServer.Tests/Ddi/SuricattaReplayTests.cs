using System.Text;
using System.Text.RegularExpressions;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Tests.Ddi;

/// <summary>
/// The requests SWUpdate's suricatta sent in <see cref="SuricattaTests"/> (Fixtures/suricatta), replayed in order against a
/// fresh DDI host without the SWUpdate process: each answer has the status suricatta got, and the action ends closed
/// with the device succeeded in the rollout. Fast, so a change to the DDI endpoints that would break SWUpdate fails here.
/// </summary>
public sealed partial class SuricattaReplayTests
{
    [GeneratedRegex(@"^(?<method>GET|POST) (?<path>\S+) Authorization=(?<auth>\S*) Accept=(?<accept>\S*) Range=\S* -> (?<status>\d{3})(?: (?<body>.*))?$")]
    private static partial Regex Line();

    [Fact]
    public async Task Swupdate_2022_12_requests_replay_with_the_statuses_it_got_and_the_rollout_counts_it()
    {
        await using var host = await DdiHost.StartAsync();
        var token = await host.CreateTargetAsync("gw-1", "eu");
        var deployment = await host.DeployAsync();
        using var client = host.Client(token);
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Ddi", "Fixtures", "suricatta", "requests-swupdate-2022.12.log"))
            .Where(l => !l.StartsWith('#') && l.Contains("/controller/v1/", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count >= 8, "the fixture holds suricatta's requests");
        foreach (var line in lines)
        {
            var m = Line().Match(line);
            Assert.True(m.Success, line);
            // The recorded host served an .swu; this one serves its own file under its own name.
            var path = m.Groups["path"].Value.Replace("sensor-filter-2.0.0.swu", host.Artifacts.File.FileName, StringComparison.Ordinal).TrimStart('/');
            using var request = new HttpRequestMessage(new HttpMethod(m.Groups["method"].Value), path);
            if (m.Groups["body"].Success) request.Content = new StringContent(m.Groups["body"].Value, Encoding.UTF8, "application/json");
            using var answer = await client.SendAsync(request);
            Assert.True(int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture) == (int)answer.StatusCode,
                $"{m.Groups["method"].Value} {path}: {(int)answer.StatusCode}, suricatta got {m.Groups["status"].Value}\n{await answer.Content.ReadAsStringAsync()}");
        }
        Assert.Equal(DeviceRolloutState.Succeeded, host.Deployment(deployment.Id).Device("gw-1")!.State);
    }
}
