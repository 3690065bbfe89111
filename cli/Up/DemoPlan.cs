using AtymSecure.OtaRollouts.Service;

namespace AtymSecure.Cli.Up;

/// <summary>
/// One step of the demo's story: a version, the deployment that rolls it out (the server's own request type, so the
/// plan is checked by the same grammar as <c>atym ota deploy</c>), how the plan reads to a newcomer, and whether the step is
/// expected to end in a halt (the bad sample).
/// </summary>
internal sealed record DemoStage(string Version, DeploymentRequest Request, string Plan, bool ExpectedToHalt);

/// <summary>
/// What <c>atym up</c> deploys, in order: 1.0.0 to every device at once; 1.1.0 to 2 canaries, then 50%, then 100%, each
/// wave soaking 5 s; 1.2.0, whose health probe always fails, to 2 canaries, halting at the first failure. Every deployment
/// targets the demo's group (<see cref="Group"/>, which the fleet's enrolment token puts each device in) continuously, so a
/// device enrolled later joins the running rollouts; a device silent for 10 minutes after its offer counts as failed.
/// The waves, soak, halt and timeouts are the server's to run (ota-server/Rollouts); the demo only creates and watches.
/// </summary>
internal static class DemoPlan
{
    public const string Container = "sensor-filter";

    /// <summary>The group every device of <c>atym up</c>'s fleet enrols into.</summary>
    public const string Group = "atym-up";

    public const string DeviceTimeout = "10m";

    public static DemoStage AllAtOnce(string version, string releaseId) =>
        new(version, Request(releaseId) with { Halt = new HaltRequest(Failures: 1) }, "to every device at once", ExpectedToHalt: false);

    public static DemoStage InWaves(string version, string releaseId) =>
        new(version, Request(releaseId) with { Canary = 2, Waves = ["50%", "100%"], Soak = "5s", Halt = new HaltRequest(Failures: 1) },
            "2 canaries, then 50%, then 100%, each wave soaking 5 s", ExpectedToHalt: false);

    public static DemoStage CanaryFirst(string version, string releaseId) =>
        new(version, Request(releaseId) with { Canary = 2, Halt = new HaltRequest(Failures: 1) },
            "2 canaries first, halting at the first failure", ExpectedToHalt: true);

    /// <summary>The story for the samples' three releases (<see cref="SamplePublisher.Samples"/>'s order: good, good, bad).</summary>
    public static IReadOnlyList<DemoStage> Story(IReadOnlyList<(string Version, string ReleaseId)> releases)
    {
        ArgumentNullException.ThrowIfNull(releases);
        if (releases.Count != 3) throw new ArgumentException($"the demo deploys 3 releases, not {releases.Count}", nameof(releases));
        return [AllAtOnce(releases[0].Version, releases[0].ReleaseId), InWaves(releases[1].Version, releases[1].ReleaseId), CanaryFirst(releases[2].Version, releases[2].ReleaseId)];
    }

    private static DeploymentRequest Request(string releaseId) =>
        new(releaseId, new DeploymentTargetRequest(Groups: [Group]), Targeting: "continuous", DeviceTimeout: DeviceTimeout);
}
