using AtymSecure.Formats.Container;
using AtymSecure.Formats.Wasm;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Permissions;
using Wasmtime;

namespace AtymSecure.Runtime.DeviceApi;

/// <summary>
/// A module that imports something the device API does not offer or the grants do not allow;
/// <see cref="ProblemException.Problems"/> names every refused import (path <c>imports['atym.log']</c>, codes from
/// <see cref="LinkProblemCodes"/>) and, when that is the cause, the missing permission.
/// </summary>
public sealed class ContainerLinkException : ProblemException
{
    public ContainerLinkException(string heading, IReadOnlyList<Problem> problems) : base(heading, problems) { }

    public ContainerLinkException(string message) : base(message) { }

    public ContainerLinkException() : base("link failed") { }

    public ContainerLinkException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Links a container's module against the device API: an import is defined only when it is in
/// <see cref="Formats.Container.DeviceApi.Functions"/> with the same signature AND the container's
/// <see cref="GrantedPermissions"/> hold its capability kind. Anything else fails before instantiation,
/// listing every refused import (defence in depth behind the build-time <see cref="ImportPolicy"/>).
/// </summary>
public static class ImportLinker
{
    private static readonly IReadOnlyDictionary<(string, string), Action<Linker, ContainerContext>> Implementations = Build();

    /// <summary>Host functions of the table this runtime implements (a test checks it equals the table).</summary>
    public static IReadOnlyCollection<(string Module, string Name)> Implemented => [.. Implementations.Keys];

    /// <summary>Problems with <paramref name="module"/>'s imports under <paramref name="grants"/>; empty when it links.</summary>
    public static IReadOnlyList<Problem> Check(Module module, GrantedPermissions grants)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(grants);
        var problems = new List<Problem>();
        foreach (var import in module.Imports)
        {
            var where = $"import {import.ModuleName}.{import.Name}";
            var path = $"imports['{import.ModuleName}.{import.Name}']";
            if (import is not FunctionImport function)
            {
                problems.Add(new(LinkProblemCodes.NotAFunction, path, $"{where}: only function imports are provided by the device API"));
                continue;
            }
            var host = Formats.Container.DeviceApi.Find(import.ModuleName, import.Name);
            if (host is null || !Implementations.ContainsKey((import.ModuleName, import.Name)))
            {
                problems.Add(new(LinkProblemCodes.UnknownImport, path, $"{where} is not part of the device API (docs/device-api.md)"));
                continue;
            }
            if (!SignatureMatches(function, host.Signature))
            {
                problems.Add(new(LinkProblemCodes.ImportSignature, path, $"{where} has signature {Describe(function)}, the device API defines {host.Signature}"));
                continue;
            }
            if (host.Requires is { } kind && !grants.HasKind(kind))
                problems.Add(new(LinkProblemCodes.ImportNotGranted, path, $"{where} requires permission '{host.RequirementText}', which is not granted to this container"));
        }
        return problems;
    }

    /// <summary>Creates a linker holding exactly the granted imports of <paramref name="module"/>, bound to <paramref name="context"/>.</summary>
    /// <exception cref="ContainerLinkException">Any import refused; the message names each import and missing permission.</exception>
    public static Linker Link(Engine engine, Module module, ContainerContext context)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(context);
        var problems = Check(module, context.Grants);
        if (problems.Count > 0)
            throw new ContainerLinkException($"container '{context.Name}' cannot be instantiated", problems);
        var linker = new Linker(engine);
        try
        {
            foreach (var import in module.Imports)
                Implementations[(import.ModuleName, import.Name)](linker, context);
            return linker;
        }
        catch
        {
            linker.Dispose();
            throw;
        }
    }

    private static Dictionary<(string, string), Action<Linker, ContainerContext>> Build()
    {
        var all = new Dictionary<(string, string), Action<Linker, ContainerContext>>();
        foreach (var (name, define) in AtymFunctions.Definitions) all[(Formats.Container.DeviceApi.AtymModule, name)] = define;
        foreach (var (name, define) in WasiFunctions.Definitions) all[(Formats.Container.DeviceApi.WasiModule, name)] = define;
        return all;
    }

    private static bool SignatureMatches(FunctionImport function, WasmFunctionType expected) =>
        function.Parameters.Select(Map).SequenceEqual(expected.Parameters.Select(t => (WasmValueType?)t)) &&
        function.Results.Select(Map).SequenceEqual(expected.Results.Select(t => (WasmValueType?)t));

    private static WasmValueType? Map(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => WasmValueType.I32,
        ValueKind.Int64 => WasmValueType.I64,
        ValueKind.Float32 => WasmValueType.F32,
        ValueKind.Float64 => WasmValueType.F64,
        _ => null,
    };

    private static string Describe(FunctionImport f) =>
        $"({string.Join(", ", f.Parameters)}) -> ({string.Join(", ", f.Results)})";
}
