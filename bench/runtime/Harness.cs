using System.Globalization;

namespace AtymSecure.Bench.Runtime;

/// <summary>
/// Runs a timing-harness executable (kernels/native_main.c linked with the gcc -O2 kernels or with a wasm2c
/// build): <c>KERNEL N REPEATS</c> prints the best time in seconds and the checksum of the last run.
/// </summary>
internal static class Harness
{
    public static KernelTiming Run(string executable, string kernel, uint iterations, int repeats)
    {
        var output = Tools.Run(executable, kernel, iterations.ToString(CultureInfo.InvariantCulture), repeats.ToString(CultureInfo.InvariantCulture)).Trim();
        var parts = output.Split(' ');
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || !uint.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var checksum))
            throw new InvalidOperationException($"{executable} {kernel}: expected '<seconds> <checksum hex>', got '{output}'");
        return new KernelTiming(seconds, iterations, checksum);
    }
}
