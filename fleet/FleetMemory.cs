using System.Diagnostics;
using System.Globalization;

namespace AtymSecure.Fleet;

/// <summary>
/// What the simulated devices cost in memory: the managed heap (after a full collection) and the process working set
/// (native too: Wasmtime stores and code, sockets, in-memory flash), each as the growth since before the fleet was made,
/// divided by the number of devices.
/// </summary>
public sealed record FleetMemory(int Devices, long HeapBytesBefore, long HeapBytesAfter, long WorkingSetBefore, long WorkingSetAfter, int Engines)
{
    public long HeapBytesPerDevice => (HeapBytesAfter - HeapBytesBefore) / Math.Max(1, Devices);

    public long WorkingSetPerDevice => (WorkingSetAfter - WorkingSetBefore) / Math.Max(1, Devices);

    /// <summary>The process's managed heap and working set now.</summary>
    public static (long Heap, long WorkingSet) Sample()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"memory per device: {HeapBytesPerDevice / 1024.0:0} KiB managed heap, {WorkingSetPerDevice / 1024.0 / 1024:0.0} MiB working set ({Devices} devices, {Engines} shared Wasm engines)");
}
