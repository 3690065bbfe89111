using AtymSecure.Formats.Container;
using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Policies.Model;

/// <summary>
/// A capability a permission rule grants, with a wildcard allowed in its argument: <c>log</c>, <c>sensor:temp*</c>,
/// <c>publish:telemetry/*</c>, <c>gpio:*</c>. The argument matches segment by segment on <c>/</c>, where <c>*</c> is any
/// run within one segment and <c>?</c> one character (the TUF path glob, <see cref="PathPattern"/>); a bare <c>*</c>
/// matches every argument. Kinds and their arguments as in docs/container-format.md#permissions.
/// </summary>
public sealed record CapabilityPattern(CapabilityKind Kind, string? Argument)
{
    public static bool TryParse(string text, out CapabilityPattern? pattern, out string? error)
    {
        pattern = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kindText = colon < 0 ? text : text[..colon];
        var argument = colon < 0 ? null : text[(colon + 1)..];
        CapabilityKind? kind = Enum.GetValues<CapabilityKind>().Cast<CapabilityKind?>().FirstOrDefault(k => Capability.KindName(k!.Value) == kindText);
        if (kind is not { } k)
        {
            error = $"unknown capability kind '{Shorten(kindText)}' (known: log, clock, random, kv, sensor:<name>, gpio:<pin>, publish:<topic>, subscribe:<topic filter>, blob:<name>)";
            return false;
        }
        if (!Capability.TakesArgument(k))
        {
            if (argument is not null) { error = $"'{kindText}' takes no argument"; return false; }
            pattern = new CapabilityPattern(k, null);
            error = null;
            return true;
        }
        if (string.IsNullOrEmpty(argument)) { error = $"'{kindText}' needs an argument (a name, a pattern with '*', or '*')"; return false; }
        if (argument.Length > Capability.MaxTopicLength || argument.Any(c => c <= ' ' || c > '~'))
        {
            error = $"'{Shorten(argument)}' is not an argument: at most {Capability.MaxTopicLength} printable ASCII characters";
            return false;
        }
        // A concrete argument must be one the container grammar accepts; a pattern is checked by its kind's characters only.
        if (!argument.Contains('*', StringComparison.Ordinal) && !argument.Contains('?', StringComparison.Ordinal)
            && !Capability.TryParse(text, out _, out var concreteError))
        {
            error = concreteError;
            return false;
        }
        pattern = new CapabilityPattern(k, argument);
        error = null;
        return true;
    }

    public bool Covers(Capability capability)
    {
        ArgumentNullException.ThrowIfNull(capability);
        if (capability.Kind != Kind) return false;
        if (Argument is null || Argument == "*") return true;
        return capability.Argument is { } a && (Argument == a || PathPattern.Matches(Argument, a));
    }

    /// <summary>Whether everything this pattern grants is granted by <paramref name="other"/> too (so losing this one narrows nothing).</summary>
    public bool IsWithin(CapabilityPattern other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Kind != Kind) return false;
        if (other.Argument is null || other.Argument == "*") return true;
        if (Argument is null || Argument == "*") return false;
        // A pattern inside another one: its text, read as a name, matches the other (telemetry/temp within telemetry/*).
        return Argument == other.Argument || PathPattern.Matches(other.Argument, Argument);
    }

    public override string ToString() => Argument is null ? Capability.KindName(Kind) : $"{Capability.KindName(Kind)}:{Argument}";

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
