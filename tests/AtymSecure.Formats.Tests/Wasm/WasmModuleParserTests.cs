using AtymSecure.Formats.Wasm;
using static AtymSecure.Formats.Tests.Wasm.WasmBytes;

namespace AtymSecure.Formats.Tests.Wasm;

public class WasmModuleParserTests
{
    [Fact]
    public void Parses_imports_exports_memory_types_and_custom_sections_of_a_valid_module()
    {
        var m = WasmModuleParser.Parse(Valid());

        var import = Assert.Single(m.Imports);
        Assert.Equal(("atym", "log", WasmExternalKind.Function), (import.Module, import.Name, import.Kind));
        Assert.Equal("(i32, i32, i32) -> ()", import.FunctionType!.ToString());
        Assert.Equal(["memory", "atym_step", "atym_health"], m.Exports.Select(e => e.Name));
        Assert.Equal("() -> (i32)", m.GetExportedFunctionType("atym_health")!.ToString());
        Assert.Null(m.GetExportedFunctionType("memory"));
        var memory = Assert.Single(m.Memories);
        Assert.Equal((65536UL, (ulong?)131072UL), (memory.MinimumBytes, memory.MaximumBytes));
        Assert.Equal(["note"], m.CustomSectionNames);
        Assert.Equal(1, m.ImportedFunctionCount);
        Assert.Equal(3, m.FunctionTypeIndices.Count);
        Assert.Equal(["type", "import", "function", "memory", "export", "code", "custom"], m.Sections.Select(s => s.Name));
    }

    [Fact]
    public void Parses_the_start_section_and_rejects_a_start_function_that_does_not_exist()
    {
        byte[] Build(uint start) => Module(Types(), Section(3, Vec(U32(0))), Section(8, U32(start)), Code(0));
        Assert.Equal(0u, WasmModuleParser.Parse(Build(0)).StartFunction);
        var e = Assert.Throws<WasmFormatException>(() => WasmModuleParser.Parse(Build(5)));
        Assert.Contains("start function 5 does not exist", e.Message);
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "empty", [], "shorter than the 8-byte header" },
        { "bad magic", [0x00, 0x61, 0x73, 0x6E, 1, 0, 0, 0], "missing \\0asm magic" },
        { "version 2", [0x00, 0x61, 0x73, 0x6D, 2, 0, 0, 0], "unsupported binary version" },
        { "component", [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00], "component-model binary" },
        { "section size past end", Module([1, 0x10, 0x00]), "type section size 16 exceeds" },
        { "truncated section size", [.. Header, 1, 0x80], "unexpected end of data" },
        { "LEB128 longer than 5 bytes", [.. Header, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], "u32 LEB128 longer than 5 bytes" },
        { "LEB128 overflowing 32 bits", [.. Header, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], "u32 LEB128 overflows 32 bits" },
        { "huge type count", Module(Section(1, U32(uint.MaxValue))), "type count 4294967295 exceeds limit" },
        { "count larger than the bytes left", Module(Section(1, U32(5000), [0x60])), "does not fit in the" },
        { "huge import count", Module(Types(), Section(2, U32(90_000))), "does not fit" },
        { "unknown section id", Module(Section(42, [0])), "unknown section id 42" },
        { "sections out of order", Module(Section(3, Vec()), Types()), "duplicated or out of order" },
        { "duplicate section", Module(Types(), Types()), "duplicated or out of order" },
        { "section with trailing bytes", Module(Section(1, Vec(), [0x00])), "unread bytes" },
        { "type index out of range", Module(Types(), Section(2, Vec(FuncImport("atym", "log", 9)))), "type index 9 does not exist" },
        { "export index out of range", Module(Types(), Section(7, Vec(Export("f", 0, 3)))), "function index 3 does not exist" },
        { "duplicate export", Module(Types(), Section(3, Vec(U32(0))), Section(7, Vec(Export("f", 0, 0), Export("f", 0, 0))), Code(0)), "export name 'f' is duplicated" },
        { "invalid UTF-8 name", Module(Types(), Section(2, [1, 1, 0xFF, 1, 0x61, 0, 0])), "not valid UTF-8" },
        { "oversized name", Module(Section(0, U32(5000), new byte[5000])), "exceeds limit 1024" },
        { "function without code", Module(Types(), Section(3, Vec(U32(0)))), "no code section" },
        { "code count mismatch", Module(Types(), Section(3, Vec(U32(0))), Code(0, 0)), "2 bodies but the function section declares 1" },
        { "memory max below min", Module(Section(5, Vec([0x01, 0x05, 0x01]))), "maximum 1 is below minimum 5" },
        { "memory over 4 GiB", Module(Section(5, Vec([0x00, .. U32(70000)]))), "larger than 65536 pages" },
        { "unknown limits flags", Module(Section(5, Vec([0x08, 0x01]))), "unknown limits flags" },
        { "unknown value type", Module(Section(1, Vec([0x60, 0x01, 0x40, 0x00]))), "unknown value type 0x40" },
        { "GC type form", Module(Section(1, Vec([0x5F, 0x00, 0x00]))), "not a function type" },
        { "unknown import kind", Module(Types(), Section(2, Vec([.. Name("a"), .. Name("b"), 0x07]))), "unknown kind 7" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Rejects_malformed_modules_with_a_typed_exception_that_says_why(string caseName, byte[] module, string expected)
    {
        var e = Assert.Throws<WasmFormatException>(() => WasmModuleParser.Parse(module));
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{caseName}: '{e.Message}' lacks '{expected}'");
    }

    [Fact]
    public void Rejects_a_module_above_the_size_limit_before_reading_it()
    {
        var limits = new WasmLimits { MaxModuleBytes = 16 };
        var e = Assert.Throws<WasmFormatException>(() => WasmModuleParser.Parse(Valid(), limits));
        Assert.Contains("limit 16", e.Message);
    }

    [Fact]
    public void Enforces_configured_count_limits()
    {
        var limits = new WasmLimits { MaxImports = 0 };
        var e = Assert.Throws<WasmFormatException>(() => WasmModuleParser.Parse(Valid(), limits));
        Assert.Contains("import count 1 exceeds limit 0", e.Message);
    }

    [Fact]
    public void Reports_the_byte_offset_of_the_problem()
    {
        var module = Module([42, 0]);
        var e = Assert.Throws<WasmFormatException>(() => WasmModuleParser.Parse(module));
        Assert.Equal(8, e.Offset);
    }
}
