namespace AtymSecure.Runtime.Budgets;

/// <summary>
/// RAM one container costs beside its linear memory: its Wasmtime store and instance (VM context, tables,
/// guard bookkeeping), its host-side context (line buffers, subscriptions, key-value handle) and its thread's
/// stack. Install budgets and the run-time accountant both add it per container.
/// </summary>
/// <remarks>
/// How it is measured: process RSS before and after starting N idle one-page containers (a <c>_start</c> that
/// idles) in one runtime after a warm-up container, divided by N (ContainerMemoryOverheadTests prints the figure
/// and holds it to this constant). Measured on linux-x86_64 (Wasmtime 50, 40 containers): about 78 KiB each. The
/// constant is 1 MiB because an idle container touches little of its stacks: under load its thread stack and its
/// wasm stack (up to the engine's 512 KiB default) become resident too. Re-measure when the engine profile's stack
/// size or the store configuration changes.
/// </remarks>
public static class ContainerMemoryOverhead
{
    public const long Bytes = 1024 * 1024;

    public const long WasmPageBytes = 65536;
}
