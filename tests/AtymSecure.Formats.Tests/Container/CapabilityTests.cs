using AtymSecure.Formats.Container;
using CsCheck;

namespace AtymSecure.Formats.Tests.Container;

public class CapabilityTests
{
    [Theory]
    [InlineData("log", CapabilityKind.Log, null)]
    [InlineData("clock", CapabilityKind.Clock, null)]
    [InlineData("random", CapabilityKind.Random, null)]
    [InlineData("kv", CapabilityKind.Kv, null)]
    [InlineData("sensor:temp0", CapabilityKind.Sensor, "temp0")]
    [InlineData("gpio:17", CapabilityKind.Gpio, "17")]
    [InlineData("gpio:0", CapabilityKind.Gpio, "0")]
    [InlineData("publish:telemetry/temp", CapabilityKind.Publish, "telemetry/temp")]
    [InlineData("subscribe:commands/+/set", CapabilityKind.Subscribe, "commands/+/set")]
    [InlineData("subscribe:commands/#", CapabilityKind.Subscribe, "commands/#")]
    [InlineData("blob:model.v2", CapabilityKind.Blob, "model.v2")]
    public void Parses_each_kind_and_round_trips(string text, CapabilityKind kind, string? argument)
    {
        var c = Capability.Parse(text);
        Assert.Equal((kind, argument), (c.Kind, c.Argument));
        Assert.Equal(text, c.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("network", "unknown capability kind 'network'")]
    [InlineData("LOG", "unknown capability kind")]
    [InlineData("log:x", "'log' takes no argument")]
    [InlineData("sensor", "'sensor' needs an argument, e.g. sensor:temp0")]
    [InlineData("sensor:", "needs an argument")]
    [InlineData("sensor:*", "must start with [a-z0-9]")]
    [InlineData("sensor:Temp", "must start with [a-z0-9]")]
    [InlineData("blob:a/b", "outside [a-z0-9._-]")]
    [InlineData("gpio:017", "leading zeros")]
    [InlineData("gpio:1024", "above 1023")]
    [InlineData("gpio:x", "not a decimal number")]
    [InlineData("publish:a//b", "empty level")]
    [InlineData("publish:a/+", "only allowed in subscribe filters")]
    [InlineData("subscribe:a/#/b", "'#' must be the last level")]
    [InlineData("subscribe:a b", "outside [A-Za-z0-9._-]")]
    public void Rejects_bad_capabilities_with_a_reason(string text, string reason)
    {
        Assert.False(Capability.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Rejects_overlong_names_and_topics()
    {
        Assert.Contains("longer than 64", Assert.Throws<FormatException>(() => Capability.Parse("sensor:" + new string('a', 65))).Message);
        Assert.Contains("longer than 128", Assert.Throws<FormatException>(() => Capability.Parse("publish:" + new string('a', 129))).Message);
        Assert.Contains("longer than 200", Assert.Throws<FormatException>(() => Capability.Parse("publish:" + new string('a', 201))).Message);
    }

    [Fact]
    public void Random_text_parses_to_a_capability_that_round_trips_or_fails_with_a_reason() =>
        Gen.String[Gen.Char["a-z:/+#0-9._-"], 0, 30].Sample(text =>
        {
            if (Capability.TryParse(text, out var c, out var error)) Assert.Equal(text, c.ToString());
            else Assert.False(string.IsNullOrEmpty(error));
        }, iter: 5000);
}
