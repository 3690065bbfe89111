namespace AtymSecure.Runtime.Drivers;

/// <summary>A simulated sensor signal: a pure function of time, so runs are reproducible.</summary>
public abstract record SignalGenerator
{
    public abstract double ValueAt(TimeSpan t);

    /// <summary><c>offset + amplitude * sin(2π t / period)</c>.</summary>
    public static SignalGenerator Sine(double offset, double amplitude, TimeSpan period) => new SineSignal(offset, amplitude, period);

    /// <summary>Deterministic pseudo-random noise around <paramref name="mean"/>, uniform in ±<paramref name="spread"/>, new value every <paramref name="sample"/>.</summary>
    public static SignalGenerator Noise(double mean, double spread, int seed, TimeSpan sample) => new NoiseSignal(mean, spread, seed, sample);

    /// <summary><paramref name="before"/> until <paramref name="at"/>, then <paramref name="after"/>.</summary>
    public static SignalGenerator Step(double before, double after, TimeSpan at) => new StepSignal(before, after, at);

    /// <summary><paramref name="baseline"/>, with <paramref name="height"/> added for <paramref name="width"/> every <paramref name="every"/>.</summary>
    public static SignalGenerator Spike(double baseline, double height, TimeSpan every, TimeSpan width) => new SpikeSignal(baseline, height, every, width);

    /// <summary>Sum of two signals (e.g. sine plus noise).</summary>
    public static SignalGenerator operator +(SignalGenerator a, SignalGenerator b) => new SumSignal(a, b);

    public static SignalGenerator Add(SignalGenerator a, SignalGenerator b) => a + b;
}

internal sealed record SineSignal(double Offset, double Amplitude, TimeSpan Period) : SignalGenerator
{
    public override double ValueAt(TimeSpan t) =>
        Period <= TimeSpan.Zero ? Offset : Offset + (Amplitude * Math.Sin(2 * Math.PI * t.Ticks / Period.Ticks));
}

internal sealed record NoiseSignal(double Mean, double Spread, int Seed, TimeSpan Sample) : SignalGenerator
{
    public override double ValueAt(TimeSpan t)
    {
        var index = Sample <= TimeSpan.Zero ? t.Ticks : t.Ticks / Sample.Ticks;
        // SplitMix64 of (seed, sample index): stateless, so any thread may read any time.
        var z = unchecked((ulong)index * 0x9E3779B97F4A7C15UL + (ulong)Seed);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        var unit = (z >> 11) * (1.0 / (1UL << 53));
        return Mean + (Spread * ((2 * unit) - 1));
    }
}

internal sealed record StepSignal(double Before, double After, TimeSpan At) : SignalGenerator
{
    public override double ValueAt(TimeSpan t) => t < At ? Before : After;
}

internal sealed record SpikeSignal(double Baseline, double Height, TimeSpan Every, TimeSpan Width) : SignalGenerator
{
    public override double ValueAt(TimeSpan t) =>
        Every > TimeSpan.Zero && t.Ticks % Every.Ticks < Width.Ticks ? Baseline + Height : Baseline;
}

internal sealed record SumSignal(SignalGenerator A, SignalGenerator B) : SignalGenerator
{
    public override double ValueAt(TimeSpan t) => A.ValueAt(t) + B.ValueAt(t);
}
