using System.Globalization;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>How the engine names things in decisions and halts.</summary>
public static class RolloutText
{
    public static string Kind(FailureKind kind) => kind switch
    {
        FailureKind.InstallFailed => "install-failed",
        FailureKind.TrialFailed => "trial-failed",
        FailureKind.Refused => "refused",
        FailureKind.TimedOut => "timed-out",
        _ => kind.ToString(),
    };

    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 && t.Minutes == 0 && t.Seconds == 0 ? $"{(int)t.TotalHours}h"
        : t.TotalMinutes >= 1 && t.Seconds == 0 ? $"{(int)t.TotalMinutes}m"
        : t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    public static string Percent(double ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string WaveName(DeploymentState s, int wave) => wave < 0 ? "already" : s.Spec.Plan.Canary > 0 && wave == 0 ? "canary" : $"wave {wave}";
}
