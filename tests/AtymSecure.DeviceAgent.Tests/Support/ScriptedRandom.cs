namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>A random source that returns the given values of <see cref="NextDouble"/> in turn (the last one from then on).</summary>
internal sealed class ScriptedRandom(params double[] values) : Random
{
    private int _next;

    public override double NextDouble() => values[Math.Min(_next++, values.Length - 1)];
}
