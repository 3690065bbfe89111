using System.Text;

namespace AtymSecure.Formats.Tests.Wasm;

/// <summary>Hand-assembles Wasm binaries for tests (encoding per https://webassembly.github.io/spec/core/binary/).</summary>
internal static class WasmBytes
{
    public static readonly byte[] Header = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    public static byte[] U32(uint value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            if (value != 0) b |= 0x80;
            bytes.Add(b);
        } while (value != 0);
        return [.. bytes];
    }

    public static byte[] Name(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        return [.. U32((uint)utf8.Length), .. utf8];
    }

    public static byte[] Section(byte id, params byte[][] parts)
    {
        var body = parts.SelectMany(p => p).ToArray();
        return [id, .. U32((uint)body.Length), .. body];
    }

    public static byte[] Vec(params byte[][] items) => [.. U32((uint)items.Length), .. items.SelectMany(i => i)];

    public static byte[] Module(params byte[][] sections) => [.. Header, .. sections.SelectMany(s => s)];

    // Function types: 0 = () -> (), 1 = () -> i32, 2 = (i32, i32, i32) -> ()
    public static byte[] Types() => Section(1, Vec(
        [0x60, 0x00, 0x00],
        [0x60, 0x00, 0x01, 0x7F],
        [0x60, 0x03, 0x7F, 0x7F, 0x7F, 0x00]));

    public static byte[] FuncImport(string module, string name, uint type) => [.. Name(module), .. Name(name), 0x00, .. U32(type)];

    public static byte[] Export(string name, byte kind, uint index) => [.. Name(name), kind, .. U32(index)];

    /// <summary>Bodies that do nothing but return a constant where needed: (i32.const 0) end or just end.</summary>
    public static byte[] Code(params uint[] types) => Section(10, Vec([.. types.Select(t => t == 1
        ? new byte[] { 0x04, 0x00, 0x41, 0x00, 0x0B }
        : new byte[] { 0x02, 0x00, 0x0B })]));

    /// <summary>
    /// A small valid module: imports atym.log (type 2), defines atym_step () -> i32 and atym_health () -> i32,
    /// one memory of 1..2 pages, exports memory, both functions, and a custom section "note".
    /// </summary>
    public static byte[] Valid(string importModule = "atym", string importName = "log", uint importType = 2) => Module(
        Types(),
        Section(2, Vec(FuncImport(importModule, importName, importType))),
        Section(3, Vec(U32(1), U32(1))),
        Section(5, Vec([0x01, 0x01, 0x02])),
        Section(7, Vec(Export("memory", 2, 0), Export("atym_step", 0, 1), Export("atym_health", 0, 2))),
        Code(1, 1),
        Section(0, Name("note"), [1, 2, 3]));
}
