using System.CommandLine;
using System.Globalization;
using AtymSecure.Bootloader.Layout;
using AtymSecure.DeviceAgent;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Runtime.Logging;
using Spectre.Console;

namespace AtymSecure.Cli.Commands;

/// <summary>
/// <c>atym device init|install|run|status|await-install</c>: a simulated device driven over real files (docs/device-cli.md).
/// Each verb is one call into the device agent (runtime/Agent); the same parts embed in-process for fleet simulation.
/// </summary>
internal static class DeviceCommands
{
    private static readonly Option<string> DataOption = new("--data") { Description = "The device's folder", Required = true };

    private static readonly Option<TimeSpan> FlashDelayOption = new("--flash-op-delay")
    {
        Description = "Simulated time per flash program/erase (e.g. 00:00:00.020), to watch or interrupt slow writes",
        DefaultValueFactory = _ => TimeSpan.Zero,
    };

    public static Command Create()
    {
        var device = new Command("device", "Drive a simulated device: provision it, install bundles, run its containers, show its state");
        device.Subcommands.Add(Init());
        device.Subcommands.Add(Install());
        device.Subcommands.Add(Run());
        device.Subcommands.Add(Status());
        device.Subcommands.Add(DeviceAwaitInstallCommand.Create(DataOption));
        device.Subcommands.Add(Reprovision());
        return device;
    }

    private static Command Init()
    {
        var profile = new Option<string>("--profile", "-p") { Description = "Device profile: " + string.Join(", ", DeviceProfile.Names), DefaultValueFactory = _ => DeviceProfile.Host };
        var containers = new Option<string[]>("--container", "-c") { Description = "Container with A/B slots, NAME or NAME=BYTES (K/M suffix ok); repeatable", Required = true };
        var trust = new Option<string[]>("--trust")
        {
            Description = "A bundle key the device trusts, with its role: vendor=KEY:PATTERN (Wasm of the containers PATTERN covers, e.g. acme-*), " +
                "compiler=KEY[:PATTERN] (any code, native included) or recovery=KEY[:PATTERN] (recovery bundles only); repeatable; " +
                "a development device needs at least one vendor or compiler key",
        };
        var directorRoot = new Option<string?>("--director-root") { Description = "Production: the director's root metadata file (with --image-root; bundle keys then come from verified metadata only)" };
        var imageRoot = new Option<string?>("--image-root") { Description = "Production: the image repository's root metadata file (with --director-root)" };
        var flash = new Option<string?>("--flash") { Description = "Flash part family: " + string.Join(", ", AtymSecure.Bootloader.Flash.FlashProfile.All.Select(p => p.Name)) };
        var command = new Command("init", "Provision a new simulated device: identity key, bootloader key, trusted keys, flash with a partition table")
            { DataOption, profile, containers, trust, flash, directorRoot, imageRoot };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(directorRoot) is null) != (r.GetValue(imageRoot) is null))
                r.AddError("--director-root and --image-root go together: a production device is provisioned with both roots");
        });
        command.SetAction(result =>
        {
            var plan = result.GetValue(containers)!.Select(ParseContainer).ToArray();
            var roots = result.GetValue(directorRoot) is { } director ? new TrustRootFiles(director, result.GetValue(imageRoot)!) : null;
            TrustedKeySpec[] trusted;
            DeviceIdentity identity;
            try
            {
                trusted = [.. (result.GetValue(trust) ?? []).Select(TrustedKeySpec.Parse)];
                identity = DeviceProvisioner.Init(new DeviceDirectory(result.GetValue(DataOption)!),
                    new DeviceInitRequest(result.GetValue(profile)!, plan, trusted, result.GetValue(flash), roots));
            }
            catch (AtymSecure.Primitives.ProblemException e)
            {
                // A refused plan or trusted key (a bare --trust KEY among them) is the operator's input: say what, no type name.
                Console.Error.WriteLine("atym: " + e.Message);
                return 1;
            }
            Console.WriteLine($"Device {identity.DeviceId} ({identity.DeviceClass}, flash {identity.Flash}) in {Path.GetFullPath(result.GetValue(DataOption)!)}" +
                (roots is null ? " — trust: development" : " — trust: production (director and image roots)"));
            foreach (var c in identity.Containers) Console.WriteLine($"  container {c.Name}: two {c.SlotBytes}-byte slots");
            foreach (var t in trusted) Console.WriteLine($"  trusted {t.Role} key {t.KeyFile} for {t.Pattern ?? "*"}");
            return 0;
        });
        return command;
    }

    private static Command Install()
    {
        var bundle = new Argument<string?>("bundle") { Description = "Bundle file (from `atym bundle`)", Arity = ArgumentArity.ZeroOrOne };
        var metadata = new Option<string?>("--metadata")
        {
            Description = "An offline export folder (`atym ota export-offline`): verify its metadata as over the network, then install every bundle it names",
        };
        var command = new Command("install", "Verify a bundle and write it to the container's inactive slot as a pending trial (queued if the device is running)")
            { bundle, metadata, DataOption, FlashDelayOption };
        command.SetAction(result =>
        {
            var root = new DeviceDirectory(result.GetValue(DataOption)!).Root;
            if (result.GetValue(metadata) is { } export)
            {
                if (result.GetValue(bundle) is not null) throw new ArgumentException("give a bundle or --metadata DIR (whose bundles are in the export), not both");
                return InstallOffline(root, export, result);
            }
            var path = result.GetValue(bundle) ?? throw new ArgumentException("a bundle file, or --metadata DIR for an offline export");
            switch (BundleFileInstaller.InstallOrQueue(root, path, DeviceOptions(result), () => Console.WriteLine($"Installing {Path.GetFileName(path)} into {root} ...")))
            {
                case InstallAttempt.Queued queued:
                    Console.WriteLine($"Device is running (pid {queued.DevicePid ?? "?"}): queued {Path.GetFileName(queued.QueuedFile)}; the running device installs it and starts its trial");
                    return 0;
                case InstallAttempt.Completed { Install: var install }:
                    // An unreadable bundle carries no container or version: name the file instead of printing blanks.
                    var what = install.Container is { } container ? $"{container} {install.Version}" : install.Bundle;
                    var line = $"{StatusNames.Of(install.Result)}: {what}{(install.Slot is { } slot ? $" into slot {StatusNames.Of(slot)}" : "")} — {install.Detail}";
                    if (install.Result == InstallResult.Installed)
                    {
                        Console.WriteLine(char.ToUpperInvariant(line[0]) + line[1..]);
                        return 0;
                    }
                    Console.Error.WriteLine("atym: install " + line);
                    return 1;
                default:
                    throw new InvalidOperationException("unknown install attempt");
            }
        });
        return command;
    }

    /// <summary><c>install --metadata DIR</c>: the offline path (the device must not be running: the export is verified and installed now).</summary>
    private static int InstallOffline(string root, string export, ParseResult result)
    {
        LocalDevice device;
        try
        {
            device = LocalDevice.Open(root, DeviceOptions(result));
        }
        catch (DeviceBusyException busy)
        {
            Console.Error.WriteLine($"atym: install refused: the device is running (pid {busy.HolderPid ?? "?"}); stop it to install an offline export");
            return 1;
        }
        using (device)
        {
            Console.WriteLine($"Verifying offline export {export} for {device.Identity.DeviceId} ...");
            var outcome = OfflineExportInstaller.Install(device, export);
            if (outcome.Refusal is { } refusal)
            {
                Console.Error.WriteLine($"atym: install refused: {refusal.Code} (step {refusal.Step}, {refusal.Role ?? "-"}{(refusal.File is { } f ? " " + f : "")}): {refusal.Detail}");
                return 1;
            }
            if (outcome.UpToDate)
            {
                Console.WriteLine($"up-to-date: every container the export names already holds its image");
                return 0;
            }
            foreach (var install in outcome.Installs)
            {
                var line = $"{StatusNames.Of(install.Result)}: {install.Container} {install.Version}{(install.Slot is { } slot ? $" into slot {StatusNames.Of(slot)}" : "")} — {install.Detail}";
                if (install.Result == InstallResult.Installed) Console.WriteLine(char.ToUpperInvariant(line[0]) + line[1..]);
                else Console.Error.WriteLine("atym: install " + line);
            }
            return outcome.Succeeded ? 0 : 1;
        }
    }

    private static Command Run()
    {
        var untilSettled = new Option<bool>("--until-settled") { Description = "Exit once every trial is decided, the inbox is empty and nothing happened for --settle-quiet" };
        var quiet = new Option<TimeSpan>("--settle-quiet") { Description = "Quiet time --until-settled waits for", DefaultValueFactory = _ => TimeSpan.FromSeconds(3) };
        var duration = new Option<TimeSpan?>("--duration") { Description = "Exit after this long (default: run until stopped)" };
        var trace = new Option<string?>("--trace") { Description = "Log bus messages matching this topic filter (e.g. '#')" };
        var server = new Option<string?>("--server") { Description = "OTA server URL (http:// or https://): enrol, poll, verify update metadata, download and report (production devices)" };
        var enrollToken = new Option<string?>("--enroll-token") { Description = "Fleet enrolment token (without one the device waits in pending for an operator)" };
        var ddi = new Option<string?>("--ddi") { Description = "hawkBit DDI server URL (ours or hawkBit): poll, download the action's offline export, verify it on the device, send feedback (production devices)" };
        var tenant = new Option<string>("--tenant") { Description = "DDI tenant (with --ddi)", DefaultValueFactory = _ => "DEFAULT" };
        var token = new Option<string?>("--token") { Description = "DDI TargetToken of this device (with --ddi)" };
        var controllerId = new Option<string?>("--controller-id") { Description = "DDI controller id (with --ddi; default: the device id)" };
        var command = new Command("run", "Power on the device: boot selection, run its containers, health trials, confirm or revert, install queued bundles or server updates")
            { DataOption, untilSettled, quiet, duration, trace, FlashDelayOption, server, enrollToken, ddi, tenant, token, controllerId };
        ServerUrl.Validate(command, server);
        ServerUrl.Validate(command, ddi);
        command.Validators.Add(r =>
        {
            if (r.GetValue(ddi) is not null && r.GetValue(server) is not null) r.AddError("give --server (our device protocol) or --ddi (hawkBit DDI), not both");
        });
        command.SetAction((result, ct) =>
        {
            // SIGTERM and SIGINT stop the device cleanly: containers stopped, status saved.
            using var stop = new StopSignals(ct);
            var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
            var runOptions = new DeviceRunOptions
            {
                UntilSettled = result.GetValue(untilSettled),
                SettleQuiet = result.GetValue(quiet),
                Duration = result.GetValue(duration),
                TraceTopics = result.GetValue(trace),
            };
            var status = result.GetValue(ddi) is { } ddiText && ServerUrl.Parse(ddiText) is { } ddiUrl
                ? DeviceRunner.PowerOnDdi(result.GetValue(DataOption)!, DeviceOptions(result), runOptions,
                    new AtymSecure.DeviceAgent.Ddi.DdiAgentOptions(ddiUrl, result.GetValue(tenant)!, result.GetValue(token), result.GetValue(controllerId)), new TextLogSink(stdout), stop.Token)
                : result.GetValue(server) is { } text && ServerUrl.Parse(text) is { } url
                ? DeviceRunner.PowerOn(result.GetValue(DataOption)!, DeviceOptions(result), runOptions, url,
                    new AtymSecure.DeviceAgent.Http.HttpUpdateOptions { EnrollmentToken = result.GetValue(enrollToken) }, new TextLogSink(stdout), stop.Token)
                : DeviceRunner.PowerOn(result.GetValue(DataOption)!, DeviceOptions(result), runOptions, new TextLogSink(stdout), stop.Token);
            foreach (var c in status.Containers)
                stdout.WriteLine($"{c.Name}: {StatusNames.Of(c.State)}, confirmed slot {StatusNames.Of(c.ConfirmedSlot)} ({c.VersionIn(c.ConfirmedSlot) ?? "none"}), floor {FloorText(c)}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Exit code of <c>atym device status</c> for a device in recovery (loud for scripts and monitoring).</summary>
    public const int RecoveryExitCode = 3;

    /// <summary>
    /// The operator's way out of recovery (issue 11 §2, docs/device-cli.md): the bootloader's Reprovision — a fresh state
    /// log, every container empty, slot bytes and the write-once security floors kept. Refused on a running device (it
    /// holds the flash) and on one that is not in recovery (a state log that verifies is never thrown away).
    /// </summary>
    private static Command Reprovision()
    {
        var command = new Command("reprovision",
            "Leave recovery: a fresh state log (every container empty); slot bytes and security floors are kept. Only for a stopped device in recovery")
            { DataOption };
        command.SetAction(result =>
        {
            var root = new DeviceDirectory(result.GetValue(DataOption)!).Root;
            LocalDevice device;
            try
            {
                device = LocalDevice.Open(root);
            }
            catch (DeviceBusyException busy)
            {
                Console.Error.WriteLine($"atym: reprovision refused: the device is running (pid {busy.HolderPid ?? "?"}); stop it first");
                return 1;
            }
            using (device)
            {
                if (!device.Bootloader.InRecovery)
                {
                    Console.Error.WriteLine("atym: reprovision refused: the device is not in recovery (its state log verifies); re-provisioning would forget its containers' state");
                    return 1;
                }
                device.Bootloader.Reprovision();
                Console.WriteLine($"Re-provisioned {device.Identity.DeviceId}: a fresh state log, every container empty; slot bytes and security floors kept " +
                    "(install signed bundles again, at or above each container's floor)");
                return 0;
            }
        });
        return command;
    }

    private static Command Status()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (the status.json schema) instead of a table" };
        var command = new Command("status", "Show slots, states, versions, counters, the last boot and recent trials and installs") { DataOption, json };
        command.SetAction(result =>
        {
            var status = DeviceStatusQuery.Read(result.GetValue(DataOption)!);
            if (result.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(status.ToJson());
                Console.WriteLine();
                return status.Recovery is null ? 0 : RecoveryExitCode;
            }
            PrintTable(status);
            if (status.Recovery is { } why)
            {
                Console.Error.WriteLine($"atym: device is in RECOVERY: {why}");
                return RecoveryExitCode;
            }
            return 0;
        });
        return command;
    }

    private static void PrintTable(DeviceStatus status)
    {
        AnsiConsole.MarkupLine($"Device [bold]{Markup.Escape(status.DeviceId)}[/] ({Markup.Escape(status.DeviceClass)}), " +
            $"runtime {Markup.Escape(status.RuntimeVersion ?? "unknown")}, trust: {Markup.Escape(status.Trust ?? "unknown")}, " +
            (status.Running is { } r ? $"running (pid {r.Pid} since {r.Since:u})" : "stopped"));
        var table = new Table().AddColumns("Container", "State", "Confirmed", "Trial", "Floor", "Runtime");
        foreach (var c in status.Containers)
            table.AddRow(Markup.Escape(c.Name), StatusNames.Of(c.State), Markup.Escape(SlotText(c, c.ConfirmedSlot)),
                Markup.Escape(c.TrialSlot == SlotId.None ? "-" : $"{SlotText(c, c.TrialSlot)}, {c.AttemptsLeft} left"),
                Markup.Escape(FloorText(c)),
                Markup.Escape(c.Runtime is { } rt ? $"{StatusNames.Of(rt.RunState)} {rt.Version}{(rt.Trial ? " (trial)" : "")}{(rt.Restarts > 0 ? $", {rt.Restarts} restarts" : "")}{(rt.CrashLoop ? ", CRASH LOOP" : "")}" : "-"));
        AnsiConsole.Write(table);
        if (status.LastBoot is { } boot)
            AnsiConsole.MarkupLine(Markup.Escape($"Last boot {boot.At:u}: " + string.Join(", ", boot.Results.Select(b => $"{b.Container} {StatusNames.Of(b.Outcome)} {b.Version ?? ""}"))));
        foreach (var t in status.Trials.TakeLast(5))
            AnsiConsole.MarkupLine(Markup.Escape($"Trial {t.At:u} {t.Container} {t.Version}: {StatusNames.Of(t.Verdict)} ({t.Reason})"));
        foreach (var w in status.AwaitingWindow ?? [])
            AnsiConsole.MarkupLine(Markup.Escape($"Update {w}"));
        foreach (var i in status.Installs.TakeLast(5))
            AnsiConsole.MarkupLine(Markup.Escape($"Install {i.At:u} {i.Bundle}: {StatusNames.Of(i.Result)}" +
                // An unreadable bundle names no container: say nothing rather than print blank fields.
                (i.Container is { } container ? $" {container} {i.Version}" : "") + $" ({i.Detail})"));
    }

    /// <summary>"7, counter 7 (12/256 used)": the effective floor and the write-once store's use, or that a v1 device has none.</summary>
    private static string FloorText(ContainerStatus c) =>
        c.SecurityFloor.ToString(CultureInfo.InvariantCulture) +
        (c.CounterStore is { } store ? $", {store}" : ", no counter store (v1 partition table: floor in the state log only)");

    /// <summary>"b 1.1.0" (slot and version; the JSON output has sizes, digests, counters).</summary>
    private static string SlotText(ContainerStatus c, SlotId slot) =>
        slot == SlotId.None ? "-" : $"{StatusNames.Of(slot)} {c.VersionIn(slot) ?? "empty"}";

    private static LocalDeviceOptions DeviceOptions(ParseResult result) => new() { FlashOperationDelay = result.GetValue(FlashDelayOption) };

    /// <summary>NAME or NAME=BYTES with an optional K/M suffix (binary units).</summary>
    internal static ContainerSlotPlan ParseContainer(string text)
    {
        var parts = text.Split('=', 2);
        if (parts.Length == 1) return new ContainerSlotPlan(parts[0], 0);
        var size = parts[1].Trim();
        long multiplier = 1;
        if (size.EndsWith('K') || size.EndsWith('k')) { multiplier = 1024; size = size[..^1]; }
        else if (size.EndsWith('M') || size.EndsWith('m')) { multiplier = 1024 * 1024; size = size[..^1]; }
        return long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? new ContainerSlotPlan(parts[0], checked(n * multiplier))
            : throw new ArgumentException($"--container '{text}': size must be a positive number of bytes, optionally with K or M");
    }
}
