namespace AtymSecure.Runtime.Drivers;

/// <summary>A bank of simulated GPIO pins; inputs are set by the test or simulation, outputs are recorded.</summary>
public sealed class SimulatedGpioBank : IGpioDriver
{
    private readonly bool[] _levels;
    private readonly List<(int Pin, bool High)> _writes = [];
    private readonly Lock _lock = new();

    public SimulatedGpioBank(int pinCount = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pinCount, 1);
        _levels = new bool[pinCount];
    }

    public int PinCount => _levels.Length;

    public bool Read(int pin)
    {
        Check(pin);
        lock (_lock) return _levels[pin];
    }

    public void Write(int pin, bool high)
    {
        Check(pin);
        lock (_lock)
        {
            _levels[pin] = high;
            _writes.Add((pin, high));
        }
    }

    /// <summary>Drives an input pin from outside (a button, another device).</summary>
    public void SetInput(int pin, bool high)
    {
        Check(pin);
        lock (_lock) _levels[pin] = high;
    }

    public IReadOnlyList<(int Pin, bool High)> Writes
    {
        get { lock (_lock) return [.. _writes]; }
    }

    private void Check(int pin)
    {
        if ((uint)pin >= (uint)_levels.Length)
            throw new ArgumentOutOfRangeException(nameof(pin), pin, $"pin must be 0..{_levels.Length - 1}");
    }
}
