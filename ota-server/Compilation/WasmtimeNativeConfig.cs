using System.Reflection;
using System.Runtime.InteropServices;
using Wasmtime;

namespace AtymSecure.Ota.Compilation;

/// <summary>
/// Settings the Wasmtime .NET <see cref="Config"/> does not wrap: the compilation target and Cranelift ISA flags.
/// The native functions are exported by libwasmtime and called here on the Config's native handle (an internal
/// property of Wasmtime.Dotnet 50.0.1, read by reflection). Call before the Config is passed to an Engine.
/// </summary>
internal static partial class WasmtimeNativeConfig
{
    private const string Library = "wasmtime"; // the same library Wasmtime.Dotnet loads

    /// <summary>Sets the target triple; throws <see cref="AotTargetNotSupportedException"/> with Wasmtime's message if refused.</summary>
    /// <remarks>Never pass a triple the loaded library cannot build: the x86_64 library aborts the whole process for aarch64/riscv.</remarks>
    public static void SetTarget(Config config, string triple)
    {
        var error = wasmtime_config_target_set(HandleOf(config), triple);
        if (error != IntPtr.Zero)
            throw new AotTargetNotSupportedException($"Wasmtime refused target '{triple}': {TakeErrorMessage(error)}");
    }

    /// <summary>Enables a boolean Cranelift setting (e.g. <c>has_sse42</c>).</summary>
    public static void EnableCraneliftFlag(Config config, string flag) =>
        wasmtime_config_cranelift_flag_enable(HandleOf(config), flag);

    private static IntPtr HandleOf(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var property = typeof(Config).GetProperty("NativeHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new InvalidOperationException(
                $"Wasmtime.Dotnet {BackEndVersions.Wasmtime} layout changed: Config.NativeHandle not found; update WasmtimeNativeConfig");
        return property.GetValue(config) switch
        {
            SafeHandle safe when !safe.IsInvalid && !safe.IsClosed => safe.DangerousGetHandle(),
            IntPtr raw when raw != IntPtr.Zero => raw,
            var other => throw new InvalidOperationException(
                $"Config.NativeHandle is unusable ({other?.GetType().Name ?? "null"}); was the Config already passed to an Engine?"),
        };
    }

    private static string TakeErrorMessage(IntPtr error)
    {
        try
        {
            wasmtime_error_message(error, out var message);
            try
            {
                return message.Size == 0 ? "(no message)" : Marshal.PtrToStringUTF8(message.Data, checked((int)message.Size));
            }
            finally
            {
                wasm_byte_vec_delete(ref message);
            }
        }
        finally
        {
            wasmtime_error_delete(error);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ByteVec
    {
        public nuint Size;
        public IntPtr Data;
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr wasmtime_config_target_set(IntPtr config, string target);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial void wasmtime_config_cranelift_flag_enable(IntPtr config, string flag);

    [LibraryImport(Library)]
    private static partial void wasmtime_error_message(IntPtr error, out ByteVec message);

    [LibraryImport(Library)]
    private static partial void wasmtime_error_delete(IntPtr error);

    [LibraryImport(Library)]
    private static partial void wasm_byte_vec_delete(ref ByteVec vec);
}
