using System.Globalization;
using System.Net;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Resigning;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.Primitives;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AtymSecure.OtaServer.Tests.Observability;

/// <summary>
/// The TUF/Uptane expiry gauges on the host's <c>/metrics</c> (issue 13 §1): <c>atym_tuf_role_expiry_seconds</c> and
/// <c>atym_tuf_role_expiry_level</c> per repository and role, judged at each scrape on the host's clock — ok while
/// fresh, alarm once the re-signing loop has stopped and an online role is below a quarter of its life, warning 30 days
/// before an offline root expires.
/// </summary>
[Collection(MetricsCollection.Name)]
public class TufExpiryMetricsTests
{
    private static async Task<string[]> ScrapeAsync(OtaTestServer server)
    {
        var response = await server.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync()).Split('\n');
    }

    /// <summary>The value of <paramref name="name"/> for one repository and role.</summary>
    private static double Value(string[] lines, string name, string repository, string role)
    {
        var line = lines.SingleOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal)
                && l.Contains($"repository=\"{repository}\"", StringComparison.Ordinal) && l.Contains($"role=\"{role}\"", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no series {name} for {repository} {role} in:\n{string.Join('\n', lines.Where(l => l.StartsWith("atym_tuf", StringComparison.Ordinal)))}");
        return double.Parse(line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>What the operator uploads after <c>atym tuf init</c>: image root 1 (365 d), top-level targets (90 d) delegating the compiler role, director root 1 (365 d).</summary>
    private static void Bootstrap(OtaTestServer server)
    {
        var services = server.App.Services;
        var keys = services.GetRequiredService<FileOnlineKeyStore>();
        var now = server.Clock.GetUtcNow();
        var (rootKey, targetsKey, directorRootKey) = (Ed25519MetadataSigner.Generate(), Ed25519MetadataSigner.Generate(), Ed25519MetadataSigner.Generate());
        var images = services.GetRequiredService<ImageRepository>();
        images.AcceptRoot(MetadataSigning.Sign(RootPlan.Build(1, now.AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([rootKey.PublicKey], 1),
            ["targets"] = new([targetsKey.PublicKey], 1),
            ["snapshot"] = new([keys.Keys(OnlineRole.Snapshot)[^1].PublicKey], 1),
            ["timestamp"] = new([keys.Keys(OnlineRole.Timestamp)[^1].PublicKey], 1),
        }, consistentSnapshot: true), rootKey).ToBytes());
        var topLevel = DelegationPlan.WithCompiler(new TargetsMetadata { Version = 1, Expires = now.AddDays(90), Targets = EquatableMap<TargetFile>.Empty },
            "linux-x86_64", new RoleAssignment([keys.Keys(OnlineRole.Compiler)[^1].PublicKey], 1));
        images.AcceptTargets(MetadataSigning.Sign(topLevel, targetsKey).ToBytes());
        services.GetRequiredService<UptaneDirector>().AcceptRoot(MetadataSigning.Sign(RootPlan.Build(1, now.AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([directorRootKey.PublicKey], 1),
            ["targets"] = new([keys.Keys(OnlineRole.DirectorTargets)[^1].PublicKey], 1),
        }, consistentSnapshot: false), directorRootKey).ToBytes());
    }

    [Fact]
    public async Task The_gauges_say_ok_then_alarm_when_re_signing_stops_then_warn_before_the_offline_roots_expire()
    {
        await using var server = await OtaTestServer.StartAsync();
        Bootstrap(server);
        var life = ImageRepositoryOptions.Default;

        var fresh = await ScrapeAsync(server);
        foreach (var (repository, role) in new[] { ("image", "root"), ("image", "targets"), ("image", "snapshot"), ("image", "timestamp"), ("image", "compiler-linux-x86_64"), ("director", "root") })
            Assert.Equal(0, Value(fresh, "atym_tuf_role_expiry_level", repository, role));
        Assert.Equal(life.TimestampLife.TotalSeconds, Value(fresh, "atym_tuf_role_expiry_seconds", "image", "timestamp"));
        Assert.Equal(TimeSpan.FromDays(365).TotalSeconds, Value(fresh, "atym_tuf_role_expiry_seconds", "director", "root"));

        // The re-signing loop stops (a stuck host); 20 h later the 1 d timestamp has 4 h left, below a quarter: alarm.
        await server.App.Services.GetServices<IHostedService>().OfType<MetadataResigningService>().Single().StopAsync(CancellationToken.None);
        server.Clock.Advance(TimeSpan.FromHours(20));
        var stalled = await ScrapeAsync(server);
        Assert.Equal(2, Value(stalled, "atym_tuf_role_expiry_level", "image", "timestamp"));
        Assert.Equal(TimeSpan.FromHours(4).TotalSeconds, Value(stalled, "atym_tuf_role_expiry_seconds", "image", "timestamp"));
        Assert.Equal(0, Value(stalled, "atym_tuf_role_expiry_level", "image", "snapshot"));
        Assert.Equal(0, Value(stalled, "atym_tuf_role_expiry_level", "director", "root"));

        // 340 days in: both offline roots have 25 d left (warning, 30 d ahead), the 90 d targets and the timestamp expired.
        server.Clock.Advance(TimeSpan.FromDays(340) - TimeSpan.FromHours(20));
        var late = await ScrapeAsync(server);
        Assert.Equal(1, Value(late, "atym_tuf_role_expiry_level", "image", "root"));
        Assert.Equal(1, Value(late, "atym_tuf_role_expiry_level", "director", "root"));
        Assert.Equal(TimeSpan.FromDays(25).TotalSeconds, Value(late, "atym_tuf_role_expiry_seconds", "director", "root"));
        Assert.Equal(3, Value(late, "atym_tuf_role_expiry_level", "image", "targets"));
        Assert.True(Value(late, "atym_tuf_role_expiry_seconds", "image", "timestamp") < 0);
    }
}
