using System.CommandLine;
using AtymSecure.DeviceAgent;
using AtymSecure.DeviceAgent.Updates;

namespace AtymSecure.Cli.Commands;

/// <summary>
/// <c>atym device await-install --data DIR --file NAME.tar [--timeout 10m]</c>: waits for the running agent's verdict on
/// one inbox file (<see cref="InstallAwaiter"/>) and turns it into an exit code, so an SWUpdate <c>postinstall</c>
/// script makes the agent's refusal SWUpdate's install failure (docs/ddi.md, docs/device-cli.md).
/// </summary>
internal static class DeviceAwaitInstallCommand
{
    public const int RefusedExitCode = 4;
    public const int RevertedExitCode = 5;
    public const int TimedOutExitCode = 6;

    public static Command Create(Option<string> data)
    {
        var file = new Option<string>("--file") { Description = "The inbox file to wait for (NAME.tar or NAME.bundle, no folder)", Required = true };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to wait for the verdict, including the health trial (e.g. 10m, 90s, 00:10:00)",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(10),
            CustomParser = r =>
            {
                if (ParseDuration(r.Tokens.Single().Value) is { } d) return d;
                r.AddError($"--timeout '{r.Tokens.Single().Value}' is not a duration (90s, 10m, 1h or 00:10:00)");
                return TimeSpan.Zero;
            },
        };
        var command = new Command("await-install",
            $"Wait until the running agent decided an inbox file: exit 0 installed and confirmed, {RefusedExitCode} refused, {RevertedExitCode} reverted by its trial, {TimedOutExitCode} no verdict in time (reason on stderr)")
            { data, file, timeout };
        command.SetAction(async (result, ct) =>
        {
            var verdict = await InstallAwaiter.WaitAsync(result.GetValue(data)!, result.GetValue(file)!, result.GetValue(timeout), ct: ct);
            if (verdict.Kind == InstallVerdictKind.Confirmed)
            {
                Console.WriteLine(verdict.Reason);
                return 0;
            }
            var what = verdict.Kind switch { InstallVerdictKind.Refused => "refused", InstallVerdictKind.Reverted => "reverted", _ => "timed out" };
            Console.Error.WriteLine($"atym: install {what}: {verdict.Reason}");
            return verdict.Kind switch
            {
                InstallVerdictKind.Refused => RefusedExitCode,
                InstallVerdictKind.Reverted => RevertedExitCode,
                _ => TimedOutExitCode,
            };
        });
        return command;
    }

    /// <summary>NUMBER followed by s, m or h, or a TimeSpan (hh:mm:ss); null when it is neither or negative.</summary>
    private static TimeSpan? ParseDuration(string text)
    {
        var unit = text.Length > 1 ? text[^1] : ' ';
        if (unit is 's' or 'm' or 'h' && int.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            return unit switch { 's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), _ => TimeSpan.FromHours(n) };
        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var t) && t >= TimeSpan.Zero ? t : null;
    }
}
