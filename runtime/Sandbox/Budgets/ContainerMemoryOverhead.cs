using AtymSecure.Runtime.Execution;

namespace AtymSecure.Runtime.Budgets;

/// <summary>
/// RAM one container costs beside its linear memory, per isolation mode (<see cref="For"/>). Install budgets and the
/// run-time accountant both add it per container, for the mode the agent resolves with
/// <see cref="RuntimeOptions.ResolveIsolation"/> (one decision, so the installer and the accountant never disagree).
/// </summary>
/// <remarks>
/// <para><b>In-process</b> (<see cref="InProcessBytes"/>, 1 MiB): its Wasmtime store and instance (VM context, tables,
/// guard bookkeeping), its host-side context (line buffers, subscriptions, key-value handle) and its thread's stack.
/// Measured as process RSS before and after starting N idle one-page containers (a <c>_start</c> that idles) in one
/// runtime after a warm-up container, divided by N (ContainerMemoryOverheadTests prints the figure and holds it to this
/// constant). On linux-x86_64 (Wasmtime 50, 40 containers): about 78 KiB each. The constant is 1 MiB because an idle
/// container touches little of its stacks: under load its thread stack and its wasm stack (up to the engine's 512 KiB
/// default) become resident too.</para>
/// <para><b>Process mode</b> (<see cref="ProcessBytes"/>, 12 MiB): everything above plus its own host process
/// (<c>AtymSecure.ContainerHost</c>: a .NET runtime, its JIT and GC heaps, a Wasmtime engine). bench/runtime
/// (IsolationCost) measured 7.8–9.6 MiB PSS per container child on linux-x86_64; PSS, not RSS, because the shared
/// runtime's pages are mapped once for all children. 12 MiB rounds the worst measured child up by a quarter for GC heap
/// growth under load and the in-process costs the child carries too.</para>
/// Re-measure when the engine profile's stack size, the store configuration or the container host changes.
/// </remarks>
public static class ContainerMemoryOverhead
{
    public const long InProcessBytes = 1024 * 1024;

    public const long ProcessBytes = 12 * 1024 * 1024;

    public const long WasmPageBytes = 65536;

    /// <summary>The per-container overhead of <paramref name="isolation"/> (a resolved mode: not <see cref="ContainerIsolation.Auto"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Auto or an unknown mode: resolve it with <see cref="RuntimeOptions.ResolveIsolation"/> first.</exception>
    public static long For(ContainerIsolation isolation) => isolation switch
    {
        ContainerIsolation.InProcess => InProcessBytes,
        ContainerIsolation.Process => ProcessBytes,
        _ => throw new ArgumentOutOfRangeException(nameof(isolation), isolation, "resolve the isolation mode (RuntimeOptions.ResolveIsolation) before budgeting for it"),
    };
}
