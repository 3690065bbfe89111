using AtymSecure.Formats.Wasm;

namespace AtymSecure.Formats.Container;

/// <summary>
/// One host function a container may import: its module/name, exact signature, and the capability kind it
/// requires (null = always allowed). Parameterized kinds (<c>sensor</c>, <c>gpio</c>, ...) need at least one
/// capability of that kind at build time; the runtime checks the concrete argument on every call.
/// </summary>
public sealed record HostFunction(string Module, string Name, WasmFunctionType Signature, CapabilityKind? Requires, string Summary)
{
    public string QualifiedName => $"{Module}.{Name}";

    /// <summary>The permission text a config must hold, e.g. <c>log</c> or <c>sensor:&lt;name&gt;</c>.</summary>
    public string? RequirementText => Requires is not { } k ? null
        : Capability.TakesArgument(k) ? $"{Capability.KindName(k)}:<name>" : Capability.KindName(k);
}

/// <summary>
/// The device API import table: the <c>atym</c> host module and the WASI preview1 subset the runtime
/// provides. This table is the contract: <c>atym build</c> admits a module only if every import is listed here
/// with the same signature and granted by its permissions, and the runtime implements exactly these entries.
/// Documented in docs/device-api.md. Pointers are i32 offsets into the module's memory 0; lengths are bytes.
/// </summary>
public static class DeviceApi
{
    public const string AtymModule = "atym";
    public const string WasiModule = "wasi_snapshot_preview1";

    private const WasmValueType I32 = WasmValueType.I32;
    private const WasmValueType I64 = WasmValueType.I64;

    private static HostFunction Atym(string name, WasmValueType[] p, WasmValueType[] r, CapabilityKind? requires, string summary) =>
        new(AtymModule, name, new WasmFunctionType(p, r), requires, summary);

    private static HostFunction Wasi(string name, WasmValueType[] p, CapabilityKind? requires, string summary) =>
        new(WasiModule, name, new WasmFunctionType(p, [I32]), requires, summary);

    /// <summary>Every importable host function, in documentation order.</summary>
    public static IReadOnlyList<HostFunction> Functions { get; } =
    [
        Atym("log", [I32, I32, I32], [], CapabilityKind.Log, "log(level, msg_ptr, msg_len): level 0=debug 1=info 2=warn 3=error"),
        Atym("clock_ms", [], [I64], CapabilityKind.Clock, "clock_ms() -> monotonic milliseconds since container start"),
        Atym("sleep_ms", [I32], [], CapabilityKind.Clock, "sleep_ms(ms): blocks the container, at most its slice budget"),
        Atym("random_fill", [I32, I32], [I32], CapabilityKind.Random, "random_fill(buf_ptr, len) -> 0 | -errno"),
        Atym("var_get", [I32, I32, I32, I32], [I32], null, "var_get(name_ptr, name_len, buf_ptr, buf_cap) -> value length | -1 unknown | -2 too small"),
        Atym("sensor_read", [I32, I32, I32], [I32], CapabilityKind.Sensor, "sensor_read(name_ptr, name_len, out_f64_ptr) -> 0 | -1 denied | -2 unavailable"),
        Atym("gpio_read", [I32], [I32], CapabilityKind.Gpio, "gpio_read(pin) -> 0 | 1 | -1 denied"),
        Atym("gpio_write", [I32, I32], [I32], CapabilityKind.Gpio, "gpio_write(pin, value) -> 0 | -1 denied"),
        Atym("kv_get", [I32, I32, I32, I32], [I32], CapabilityKind.Kv, "kv_get(key_ptr, key_len, buf_ptr, buf_cap) -> value length | -1 missing | -2 too small"),
        Atym("kv_set", [I32, I32, I32, I32], [I32], CapabilityKind.Kv, "kv_set(key_ptr, key_len, val_ptr, val_len) -> 0 | -1 quota"),
        Atym("publish", [I32, I32, I32, I32], [I32], CapabilityKind.Publish, "publish(topic_ptr, topic_len, payload_ptr, payload_len) -> 0 | -1 denied"),
        Atym("subscribe", [I32, I32], [I32], CapabilityKind.Subscribe, "subscribe(filter_ptr, filter_len) -> 0 | -1 denied"),
        Atym("receive", [I32, I32, I32, I32], [I32], CapabilityKind.Subscribe, "receive(topic_buf, topic_cap, payload_buf, payload_cap) -> payload length | -1 none waiting"),
        Atym("blob_size", [I32, I32], [I32], CapabilityKind.Blob, "blob_size(name_ptr, name_len) -> size | -1 denied/missing"),
        Atym("blob_read", [I32, I32, I32, I32, I32], [I32], CapabilityKind.Blob, "blob_read(name_ptr, name_len, offset, buf_ptr, buf_len) -> bytes read | -1 denied/missing"),

        // WASI preview1 subset. Only fds 0-2 exist; fd_write to 1/2 goes to the log.
        Wasi("fd_write", [I32, I32, I32, I32], CapabilityKind.Log, "stdout/stderr lines become log records"),
        Wasi("fd_read", [I32, I32, I32, I32], null, "stdin is empty (reads 0 bytes)"),
        Wasi("fd_close", [I32], null, "closing fds 0-2 is a no-op"),
        Wasi("fd_seek", [I32, I64, I32, I32], null, "always ESPIPE"),
        Wasi("fd_fdstat_get", [I32, I32], null, "fds 0-2 report a character device"),
        Wasi("fd_prestat_get", [I32, I32], null, "no preopened directories: EBADF"),
        Wasi("fd_prestat_dir_name", [I32, I32, I32], null, "no preopened directories: EBADF"),
        Wasi("clock_time_get", [I32, I64, I32], CapabilityKind.Clock, "realtime and monotonic clocks"),
        Wasi("clock_res_get", [I32, I32], CapabilityKind.Clock, "clock resolution"),
        Wasi("random_get", [I32, I32], CapabilityKind.Random, "random bytes from the device RNG"),
        Wasi("args_get", [I32, I32], null, "argv = [container name]"),
        Wasi("args_sizes_get", [I32, I32], null, "argv sizes"),
        Wasi("environ_get", [I32, I32], null, "environment = the container variables"),
        Wasi("environ_sizes_get", [I32, I32], null, "environment sizes"),
        new(WasiModule, "proc_exit", new WasmFunctionType([I32], []), null, "ends the container with an exit code"),
        Wasi("sched_yield", [], null, "ends the current slice early"),
        Wasi("poll_oneoff", [I32, I32, I32, I32], CapabilityKind.Clock, "clock subscriptions only (sleep)"),
    ];

    private static readonly Dictionary<(string, string), HostFunction> ByName =
        Functions.ToDictionary(f => (f.Module, f.Name));

    public static HostFunction? Find(string module, string name) => ByName.GetValueOrDefault((module, name));
}
