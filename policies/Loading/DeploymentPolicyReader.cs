using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Policies.Model;
using AtymSecure.Policies.Yaml;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Loading;

/// <summary>The <c>spec</c> of a <c>kind: DeploymentPolicy</c> file: <c>groups</c>, each with device classes, containers, rollout constraints, maintenance windows and freezes.</summary>
internal static class DeploymentPolicyReader
{
    public static DeploymentPolicy Read(MapReader spec, string name, string file)
    {
        var groups = new List<DeploymentGroup>();
        foreach (var (node, path) in spec.List("groups", required: true, minItems: 1))
            if (spec.Context.MapOf(node, path) is { } g && Group(g) is { } group) groups.Add(group);
        PolicyDocumentReader.Unique(spec.Context, groups, g => g.Name, g => g.At, spec.FieldPath("groups"), "group");
        spec.RejectUnknown();
        return new DeploymentPolicy(name, [.. groups], file);
    }

    /// <summary>A device-class name from <see cref="DeviceClassTable"/>, or the message saying it is not one.</summary>
    internal static string? CheckDeviceClass(string text) => DeviceClassTable.IsKnown(text)
        ? null
        : $"unknown device class '{PolicyFileContext.Shorten(text)}' (known: {string.Join(", ", DeviceClassTable.Names)})";

    /// <summary>Container-name patterns (docs/trust-model.md §2 grammar), one per list item.</summary>
    internal static List<ContainerNamePattern> Containers(MapReader map, string key)
    {
        var result = new List<ContainerNamePattern>();
        foreach (var (text, at) in map.Strings(key, required: true, minItems: 1, check: t => ContainerNamePattern.TryParse(t, "", out _, out var p) ? null : p.Message))
            result.Add(ContainerNamePattern.Parse(text));
        return result;
    }

    private static DeploymentGroup? Group(MapReader g)
    {
        var context = g.Context;
        var before = context.Problems.Count;
        var name = g.String("name", required: true) is { } n ? PolicyDocumentReader.Name(g, "name", n) : null;
        var classes = g.Strings("deviceClasses", required: true, minItems: 1, check: CheckDeviceClass);
        var containers = Containers(g, "containers");
        var rollout = g.Map("rollout") is { } r ? Rollout(r) : RolloutConstraints.None(g.Position);
        var windows = new List<MaintenanceWindow>();
        foreach (var (node, path) in g.List("maintenanceWindows", maxItems: 64))
            if (context.MapOf(node, path) is { } w && Window(w) is { } window) windows.Add(window);
        var freezes = new List<FreezePeriod>();
        foreach (var (node, path) in g.List("freezes", maxItems: 64))
            if (context.MapOf(node, path) is { } f && Freeze(f) is { } freeze) freezes.Add(freeze);
        g.RejectUnknown();
        return name is not null && rollout is not null && context.Problems.Count == before
            ? new DeploymentGroup(name, [.. classes.Select(c => c.Value)], [.. containers], rollout, [.. windows], [.. freezes], g.Position)
            : null;
    }

    private static RolloutConstraints? Rollout(MapReader r)
    {
        var before = r.Context.Problems.Count;
        var canary = r.Boolean("mandatoryCanary") ?? false;
        var wave = (int)(r.Integer("maxWavePercent", 1, 100) ?? 100);
        var soak = Duration(r, "minSoak") ?? TimeSpan.Zero;
        var halt = (int)(r.Integer("haltFailurePercent", 1, 100) ?? 100);
        r.RejectUnknown();
        return r.Context.Problems.Count == before ? new RolloutConstraints(canary, wave, soak, halt, r.Position) : null;
    }

    private static MaintenanceWindow? Window(MapReader w)
    {
        var context = w.Context;
        var days = w.Strings("days", required: true, minItems: 1, check: d => DayNames.Parse(d) is null ? $"'{PolicyFileContext.Shorten(d)}' is not a day ({string.Join(", ", DayNames.All)})" : null, maxItems: 7);
        var start = Time(w, "start");
        var end = Time(w, "end");
        w.RejectUnknown();
        if (start is null || end is null) return null;
        if (start == end)
        {
            context.Add(EmptyWindow, w.FieldPath("end"), $"the window starts and ends at {start:HH\\:mm}; an end before the start runs past midnight", w.Field("end")!);
            return null;
        }
        return new MaintenanceWindow([.. days.Select(d => DayNames.Parse(d.Value)!.Value).Order()], start.Value, end.Value, w.Position);
    }

    private static FreezePeriod? Freeze(MapReader f)
    {
        var from = Timestamp(f, "from");
        var to = Timestamp(f, "to");
        var reason = f.String("reason", required: true, maxLength: 200);
        f.RejectUnknown();
        if (from is null || to is null || reason is null) return null;
        if (to <= from)
        {
            f.Context.Add(EmptyPeriod, f.FieldPath("to"), $"'to' must be after 'from' ({from:yyyy-MM-ddTHH:mm:ssZ})", f.Field("to")!);
            return null;
        }
        return new FreezePeriod(from.Value, to.Value, reason, f.Position);
    }

    internal static TimeSpan? Duration(MapReader map, string key, bool required = false)
    {
        if (map.String(key, required, 16) is not { } text) return null;
        if (PolicyScalars.Duration(text) is { } d) return d;
        map.Context.Add(InvalidValue, map.FieldPath(key), $"'{PolicyFileContext.Shorten(text)}': {PolicyScalars.DurationRule}", map.Field(key)!);
        return null;
    }

    internal static DateTimeOffset? Timestamp(MapReader map, string key, bool required = true)
    {
        if (map.String(key, required, 40) is not { } text) return null;
        if (PolicyScalars.Timestamp(text) is { } t) return t;
        map.Context.Add(InvalidValue, map.FieldPath(key), $"'{PolicyFileContext.Shorten(text)}': {PolicyScalars.TimestampRule}", map.Field(key)!);
        return null;
    }

    private static TimeOnly? Time(MapReader map, string key)
    {
        if (map.String(key, required: true, 8) is not { } text) return null;
        if (PolicyScalars.TimeOfDay(text) is { } t) return t;
        map.Context.Add(InvalidValue, map.FieldPath(key), $"'{PolicyFileContext.Shorten(text)}' is not a time of day (HH:mm, UTC; quote it: \"02:00\")", map.Field(key)!);
        return null;
    }
}
