using AtymSecure.DeviceAgent.Provisioning;

namespace AtymSecure.Fleet;

/// <summary>
/// One simulated fleet (<c>atym fleet simulate</c>): how many devices of which profiles, against which server, trusting which
/// roots, with which faults, and where their folders live.
/// </summary>
public sealed record FleetOptions
{
    /// <summary>The OTA server's base URL (the origin devices sign challenges for).</summary>
    public required Uri Server { get; init; }

    /// <summary>More OTA replicas on the same store (issue 17): devices spread over <see cref="AllServers"/> and fail over
    /// between them (<see cref="ServerRoute"/>); every replica must accept <see cref="Server"/> as its public origin.</summary>
    public IReadOnlyList<Uri> OtherServers { get; init; } = [];

    /// <summary><see cref="Server"/>, then <see cref="OtherServers"/>.</summary>
    public IReadOnlyList<Uri> AllServers => [Server, .. OtherServers];

    public int Devices { get; init; } = 8;

    /// <summary>Device profiles (<see cref="DeviceProfile.Names"/>), assigned round-robin: device i gets Profiles[i mod count].</summary>
    public IReadOnlyList<string> Profiles { get; init; } = [DeviceProfile.Host];

    /// <summary>The production roots every device is provisioned with (docs/trust-model.md §2).</summary>
    public required TrustRootFiles Roots { get; init; }

    /// <summary>The containers every device has A/B slots for, with the slot size.</summary>
    public IReadOnlyList<ContainerSlotPlan> Containers { get; init; } = [new("sensor-filter", 512 * 1024)];

    public string? EnrollmentToken { get; init; }

    /// <summary>
    /// The fleet's folder: one sub-folder per device (<c>devices/NNNN</c>: identity, trust store, status, log; flash.img too
    /// with <see cref="FlashInFiles"/>). Devices already there are powered on again, not re-provisioned.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>Flash in flash.img files (survives the process) instead of memory (the bootloader's simulated NOR part).</summary>
    public bool FlashInFiles { get; init; }

    public IReadOnlyList<FleetFault> Faults { get; init; } = [];

    /// <summary>Until the server names its poll interval (every poll answer does).</summary>
    public TimeSpan InitialPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Every problem with these options, at once (empty = usable).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Devices is < 1 or > 10_000) problems.Add($"--devices {Devices}: between 1 and 10000");
        if (Profiles.Count == 0) problems.Add("--profile: at least one");
        foreach (var profile in Profiles)
        {
            try { DeviceProfile.Find(profile); }
            catch (ArgumentException e) { problems.Add($"--profile {profile}: {e.Message}"); }
        }
        foreach (var server in AllServers)
            if (server.Scheme is not ("http" or "https")) problems.Add($"--server {server}: an http(s) URL");
        if (AllServers.Select(s => s.GetLeftPart(UriPartial.Authority)).Distinct(StringComparer.OrdinalIgnoreCase).Count() != AllServers.Count)
            problems.Add("--server: each replica once");
        if (FlashInFiles && Faults.Any(f => f.Kind == FleetFaultKind.PowerCutInstall))
            problems.Add("--fault power-cut-install needs the in-memory flash (its fault plans cut power between flash operations); leave out --flash-files");
        return problems;
    }
}
