using AtymSecure.Runtime.Drivers;

namespace AtymSecure.Fleet;

/// <summary>
/// The failing-health fault: the device has the demo sensors' names but every read fails (a sensor that came loose), so a
/// container that checks its readings in its health probe (sensor-filter does) fails its trial and the update reverts.
/// </summary>
internal sealed class BrokenSensors(ISensorDriver names) : ISensorDriver
{
    public IReadOnlyCollection<string> Names => names.Names;

    public bool TryRead(string name, out double value)
    {
        value = 0;
        return false;
    }
}
