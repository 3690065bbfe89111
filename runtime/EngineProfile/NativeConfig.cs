using System.Reflection;
using System.Runtime.InteropServices;
using Wasmtime;

namespace AtymSecure.Engines;

/// <summary>
/// The few Wasmtime C API settings the .NET <see cref="Config"/> does not wrap: the compilation target and
/// raw Cranelift flags (CPU features such as <c>has_avx2</c>). Called on the config's native handle, which
/// Wasmtime.Dotnet keeps internal, so it is read by reflection once. Used by both the server-side AoT
/// compiler so that device engines and compiled artifacts are configured by the same code.
/// </summary>
public static partial class NativeConfig
{
    private const string Library = "wasmtime";

    private static readonly PropertyInfo HandleProperty =
        typeof(Config).GetProperty("NativeHandle", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("Wasmtime.Config has no NativeHandle property; the Wasmtime package version changed");

    /// <summary>Sets the compilation target. A bare ISA name is refused: Wasmtime needs the full triple.</summary>
    public static void SetTarget(Config config, string triple)
    {
        var error = wasmtime_config_target_set(Handle(config), triple);
        if (error != IntPtr.Zero)
            throw new EngineConfigurationException($"target '{triple}' refused by Wasmtime: {TakeMessage(error)}");
    }

    public static void EnableCraneliftFlag(Config config, string flag) => wasmtime_config_cranelift_flag_enable(Handle(config), flag);

    public static void SetCraneliftFlag(Config config, string key, string value) =>
        wasmtime_config_cranelift_flag_set(Handle(config), key, value);

    private static IntPtr Handle(Config config)
    {
        var handle = HandleProperty.GetValue(config) switch
        {
            SafeHandle safe => safe.DangerousGetHandle(),
            IntPtr raw => raw,
            var other => throw new InvalidOperationException($"unexpected Config.NativeHandle type {other?.GetType()}"),
        };
        return handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Config));
    }

    private static string TakeMessage(IntPtr error)
    {
        var vec = default(ByteVec);
        try
        {
            wasmtime_error_message(error, ref vec);
            return vec.Size == 0 ? "(no message)" : Marshal.PtrToStringUTF8(vec.Data, checked((int)vec.Size)) ?? "(no message)";
        }
        finally
        {
            wasm_byte_vec_delete(ref vec);
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

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial void wasmtime_config_cranelift_flag_set(IntPtr config, string key, string value);

    [LibraryImport(Library)]
    private static partial void wasmtime_error_message(IntPtr error, ref ByteVec message);

    [LibraryImport(Library)]
    private static partial void wasmtime_error_delete(IntPtr error);

    [LibraryImport(Library)]
    private static partial void wasm_byte_vec_delete(ref ByteVec vec);
}
