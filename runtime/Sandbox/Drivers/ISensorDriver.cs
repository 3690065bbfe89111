namespace AtymSecure.Runtime.Drivers;

/// <summary>
/// Named scalar sensors of one device. The device API's <c>sensor_read</c> goes through this, so the same
/// container runs on real hardware drivers or on simulated signals.
/// </summary>
public interface ISensorDriver
{
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Reads <paramref name="name"/>; false when the device has no such sensor or it is unavailable.</summary>
    bool TryRead(string name, out double value);
}

/// <summary>GPIO pins of one device (the device API's <c>gpio_read</c>/<c>gpio_write</c>).</summary>
public interface IGpioDriver
{
    int PinCount { get; }

    bool Read(int pin);

    void Write(int pin, bool high);
}
