using System.Diagnostics.CodeAnalysis;

namespace AtymSecure.Formats.Container;

/// <summary>What a capability lets a container reach. Wire names in <see cref="Capability.KindName"/>.</summary>
public enum CapabilityKind
{
    Log,
    Clock,
    Random,
    Kv,
    Sensor,
    Gpio,
    Publish,
    Subscribe,
    Blob,
}

/// <summary>
/// One permission a container holds: <c>log</c>, <c>clock</c>, <c>random</c>, <c>kv</c> (no argument) or
/// <c>sensor:&lt;name&gt;</c>, <c>gpio:&lt;pin&gt;</c>, <c>publish:&lt;topic&gt;</c>,
/// <c>subscribe:&lt;topic filter&gt;</c>, <c>blob:&lt;name&gt;</c>. Grammar in docs/container-format.md#permissions.
/// No wildcards in names: a container lists exactly what it touches (subscribe filters may use MQTT
/// <c>+</c>/<c>#</c>).
/// </summary>
public sealed record Capability(CapabilityKind Kind, string? Argument)
{
    public const int MaxLength = 200;
    public const int MaxTopicLength = 128;
    public const int MaxNameLength = 64;
    public const int MaxGpioPin = 1023;

    public static Capability Log { get; } = new(CapabilityKind.Log, null);

    public static Capability Clock { get; } = new(CapabilityKind.Clock, null);

    public static Capability Random { get; } = new(CapabilityKind.Random, null);

    public static Capability Kv { get; } = new(CapabilityKind.Kv, null);

    public static string KindName(CapabilityKind kind) => kind.ToString().ToLowerInvariant();

    public static bool TakesArgument(CapabilityKind kind) =>
        kind is CapabilityKind.Sensor or CapabilityKind.Gpio or CapabilityKind.Publish or CapabilityKind.Subscribe or CapabilityKind.Blob;

    public override string ToString() => Argument is null ? KindName(Kind) : $"{KindName(Kind)}:{Argument}";

    public static Capability Parse(string? text) =>
        TryParse(text, out var c, out var error) ? c : throw new FormatException($"invalid capability '{text}': {error}");

    public static bool TryParse(string? text, [NotNullWhen(true)] out Capability? capability, [NotNullWhen(false)] out string? error)
    {
        capability = null;
        if (string.IsNullOrEmpty(text)) { error = "empty"; return false; }
        if (text.Length > MaxLength) { error = $"longer than {MaxLength} characters"; return false; }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kindText = colon < 0 ? text : text[..colon];
        var argument = colon < 0 ? null : text[(colon + 1)..];
        CapabilityKind? kind = kindText switch
        {
            "log" => CapabilityKind.Log,
            "clock" => CapabilityKind.Clock,
            "random" => CapabilityKind.Random,
            "kv" => CapabilityKind.Kv,
            "sensor" => CapabilityKind.Sensor,
            "gpio" => CapabilityKind.Gpio,
            "publish" => CapabilityKind.Publish,
            "subscribe" => CapabilityKind.Subscribe,
            "blob" => CapabilityKind.Blob,
            _ => null,
        };
        if (kind is not { } k)
        {
            error = $"unknown capability kind '{kindText}' (known: log, clock, random, kv, sensor:<name>, gpio:<pin>, publish:<topic>, subscribe:<topic filter>, blob:<name>)";
            return false;
        }
        if (!TakesArgument(k))
        {
            if (argument is not null) { error = $"'{kindText}' takes no argument"; return false; }
            capability = new Capability(k, null);
            error = null;
            return true;
        }
        if (string.IsNullOrEmpty(argument)) { error = $"'{kindText}' needs an argument, e.g. {kindText}:{Example(k)}"; return false; }
        error = k switch
        {
            CapabilityKind.Sensor or CapabilityKind.Blob => CheckName(argument),
            CapabilityKind.Gpio => CheckPin(argument),
            CapabilityKind.Publish => CheckTopic(argument, allowWildcards: false),
            _ => CheckTopic(argument, allowWildcards: true),
        };
        if (error is not null) return false;
        capability = new Capability(k, argument);
        return true;
    }

    private static string Example(CapabilityKind k) => k switch
    {
        CapabilityKind.Gpio => "17",
        CapabilityKind.Publish or CapabilityKind.Subscribe => "telemetry/temp",
        CapabilityKind.Blob => "model",
        _ => "temp0",
    };

    /// <summary>Sensor and blob names: <c>[a-z0-9][a-z0-9._-]*</c>, at most 64 characters.</summary>
    public static string? CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0) return "name is empty";
        if (name.Length > MaxNameLength) return $"name longer than {MaxNameLength} characters";
        if (!(char.IsAsciiDigit(name[0]) || char.IsAsciiLetterLower(name[0]))) return $"name '{name}' must start with [a-z0-9]";
        foreach (var c in name)
        {
            if (!(char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || c is '.' or '_' or '-'))
                return $"name '{name}' has '{c}' outside [a-z0-9._-]";
        }
        return null;
    }

    private static string? CheckPin(string pin)
    {
        if (!pin.All(char.IsAsciiDigit) || pin.Length > 4 || (pin.Length > 1 && pin[0] == '0'))
            return $"gpio pin '{pin}' is not a decimal number without leading zeros";
        return int.Parse(pin, System.Globalization.CultureInfo.InvariantCulture) > MaxGpioPin ? $"gpio pin {pin} is above {MaxGpioPin}" : null;
    }

    /// <summary>Topics: '/'-separated non-empty levels of <c>[A-Za-z0-9._-]</c>; filters may use '+' levels and a final '#'.</summary>
    private static string? CheckTopic(string topic, bool allowWildcards)
    {
        if (topic.Length > MaxTopicLength) return $"topic longer than {MaxTopicLength} characters";
        var levels = topic.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Length == 0) return $"topic '{topic}' has an empty level";
            if (level is "+" or "#")
            {
                if (!allowWildcards) return $"topic '{topic}': wildcards are only allowed in subscribe filters";
                if (level == "#" && i != levels.Length - 1) return $"topic '{topic}': '#' must be the last level";
                continue;
            }
            foreach (var c in level)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                    return $"topic '{topic}' has '{c}' outside [A-Za-z0-9._-]";
            }
        }
        return null;
    }
}
