namespace AtymSecure.Formats.Wasm;

/// <summary>
/// Parses the structure of a core Wasm module (binary format 1,
/// https://webassembly.github.io/spec/core/binary/modules.html): section order and sizes, types, imports,
/// functions, tables, memories, exports, start, code-entry count and custom section names.
/// Instruction bodies (code, globals' and segments' init expressions) are bounds-checked but not decoded:
/// the engine validates them; we need the module's interface. Untrusted input: every count and length is
/// checked against <see cref="WasmLimits"/> and the bytes left before use.
/// </summary>
public static class WasmModuleParser
{
    private static ReadOnlySpan<byte> Magic => "\0asm"u8;

    // Section ids: https://webassembly.github.io/spec/core/binary/modules.html#sections
    private const byte Custom = 0, TypeId = 1, ImportId = 2, FunctionId = 3, TableId = 4, MemoryId = 5, GlobalId = 6,
        ExportId = 7, StartId = 8, ElementId = 9, CodeId = 10, DataId = 11, DataCountId = 12, TagId = 13;

    /// <summary>Position of each known section in the required order (tag sits between memory and global).</summary>
    private static int OrderOf(byte id) => id switch
    {
        TypeId => 1, ImportId => 2, FunctionId => 3, TableId => 4, MemoryId => 5, TagId => 6, GlobalId => 7,
        ExportId => 8, StartId => 9, ElementId => 10, DataCountId => 11, CodeId => 12, DataId => 13, _ => -1,
    };

    public static string SectionName(byte id) => id switch
    {
        Custom => "custom", TypeId => "type", ImportId => "import", FunctionId => "function", TableId => "table",
        MemoryId => "memory", GlobalId => "global", ExportId => "export", StartId => "start", ElementId => "element",
        CodeId => "code", DataId => "data", DataCountId => "datacount", TagId => "tag", _ => $"unknown({id})",
    };

    /// <summary>Parses <paramref name="module"/>; throws <see cref="WasmFormatException"/> on any problem.</summary>
    public static WasmModule Parse(ReadOnlySpan<byte> module, WasmLimits? limits = null)
    {
        limits ??= WasmLimits.Default;
        if (module.Length > limits.MaxModuleBytes)
            throw new WasmFormatException($"module is {module.Length} bytes, limit {limits.MaxModuleBytes}", -1);
        var reader = new WasmBinaryReader(module, 0);
        ReadHeader(ref reader);

        var state = new ParseState(limits);
        var lastOrder = 0;
        var sectionCount = 0;
        while (!reader.AtEnd)
        {
            var sectionOffset = reader.Offset;
            if (++sectionCount > limits.MaxSections)
                throw new WasmFormatException($"more than {limits.MaxSections} sections", sectionOffset);
            var id = reader.ReadByte();
            var sizeOffset = reader.Offset;
            var size = reader.ReadU32();
            if (size > (uint)reader.Remaining)
                throw new WasmFormatException($"{SectionName(id)} section size {size} exceeds the {reader.Remaining} bytes left", sizeOffset);
            var bodyOffset = reader.Offset;
            var body = new WasmBinaryReader(reader.ReadBytes((int)size), bodyOffset);

            if (id != Custom)
            {
                var order = OrderOf(id);
                if (order < 0) throw new WasmFormatException($"unknown section id {id}", sectionOffset);
                if (order <= lastOrder)
                    throw new WasmFormatException($"{SectionName(id)} section is duplicated or out of order", sectionOffset);
                lastOrder = order;
            }
            var customName = ParseSection(id, ref body, state);
            if (id != Custom && !body.AtEnd)
                throw new WasmFormatException($"{SectionName(id)} section has {body.Remaining} unread bytes (size mismatch)", body.Offset);
            state.Sections.Add(new WasmSection(id, SectionName(id), sectionOffset, size, customName));
        }
        return state.Finish();
    }

    private static void ReadHeader(ref WasmBinaryReader reader)
    {
        if (reader.Remaining < 8) throw new WasmFormatException("shorter than the 8-byte header", 0);
        if (!reader.ReadBytes(4).SequenceEqual(Magic)) throw new WasmFormatException("missing \\0asm magic", 0);
        var version = reader.ReadBytes(4);
        if (version[2] == 0x01 && version[3] == 0x00)
            throw new WasmFormatException("this is a component-model binary; only core modules are supported", 4);
        if (!version.SequenceEqual((ReadOnlySpan<byte>)[1, 0, 0, 0]))
            throw new WasmFormatException($"unsupported binary version {Convert.ToHexString(version)}", 4);
    }

    private static string? ParseSection(byte id, ref WasmBinaryReader r, ParseState s)
    {
        switch (id)
        {
            case Custom:
                // Custom section contents are opaque by definition; only the name is read.
                var name = r.ReadName(s.Limits.MaxNameBytes);
                r.Skip(r.Remaining);
                return name;
            case TypeId: ParseTypes(ref r, s); break;
            case ImportId: ParseImports(ref r, s); break;
            case FunctionId:
                s.DefinedFunctionCount = r.ReadCount("function", s.Limits.MaxFunctions);
                for (var i = 0; i < s.DefinedFunctionCount; i++) s.FunctionTypeIndices.Add(s.ReadTypeIndex(ref r));
                break;
            case TableId:
                var tables = r.ReadCount("table", s.Limits.MaxTables - s.Tables.Count, 2);
                for (var i = 0; i < tables; i++) s.Tables.Add(new WasmTable(ReadRefType(ref r), ReadLimits(ref r, false), false));
                break;
            case MemoryId:
                var memories = r.ReadCount("memory", s.Limits.MaxMemories - s.Memories.Count, 2);
                for (var i = 0; i < memories; i++) s.Memories.Add(new WasmMemory(ReadLimits(ref r, true), false));
                break;
            case GlobalId:
                // Init expressions are engine business; count them and trust the section size bound.
                s.GlobalCount += r.ReadCount("global", s.Limits.MaxGlobals, 3);
                r.Skip(r.Remaining);
                break;
            case ExportId: ParseExports(ref r, s); break;
            case StartId:
                var startOffset = r.Offset;
                var start = r.ReadU32();
                if (start >= (uint)s.FunctionTypeIndices.Count)
                    throw new WasmFormatException($"start function {start} does not exist", startOffset);
                s.StartFunction = start;
                break;
            case CodeId:
                var codeOffset = r.Offset;
                var bodies = r.ReadCount("code entry", s.Limits.MaxFunctions);
                if (bodies != s.DefinedFunctionCount)
                    throw new WasmFormatException($"code section has {bodies} bodies but the function section declares {s.DefinedFunctionCount}", codeOffset);
                for (var i = 0; i < bodies; i++)
                {
                    var bodySize = r.ReadU32();
                    if (bodySize == 0) throw r.Error("empty function body");
                    if (bodySize > (uint)r.Remaining) throw r.Error($"function body size {bodySize} exceeds the {r.Remaining} bytes left");
                    r.Skip((int)bodySize);
                }
                s.SawCode = true;
                break;
            default:
                // element, data, datacount, tag: bounded by the section size, decoded by the engine.
                r.Skip(r.Remaining);
                break;
        }
        return null;
    }

    private static void ParseTypes(ref WasmBinaryReader r, ParseState s)
    {
        var count = r.ReadCount("type", s.Limits.MaxTypes, 3);
        for (var i = 0; i < count; i++)
        {
            var form = r.ReadByte();
            if (form != 0x60) throw new WasmFormatException($"type {i}: form 0x{form:X2} is not a function type (GC types are not supported)", r.Offset - 1);
            var parameters = ReadValueTypes(ref r, s.Limits.MaxTypeArity);
            var results = ReadValueTypes(ref r, s.Limits.MaxTypeArity);
            s.Types.Add(new WasmFunctionType(parameters, results));
        }
    }

    private static WasmValueType[] ReadValueTypes(ref WasmBinaryReader r, int limit)
    {
        var count = r.ReadCount("value type", limit);
        var types = new WasmValueType[count];
        for (var i = 0; i < count; i++) types[i] = ReadValueType(ref r);
        return types;
    }

    private static WasmValueType ReadValueType(ref WasmBinaryReader r)
    {
        var b = r.ReadByte();
        return b switch
        {
            0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F => (WasmValueType)b,
            _ => throw new WasmFormatException($"unknown value type 0x{b:X2}", r.Offset - 1),
        };
    }

    private static WasmValueType ReadRefType(ref WasmBinaryReader r)
    {
        var t = ReadValueType(ref r);
        if (t is not (WasmValueType.FuncRef or WasmValueType.ExternRef))
            throw new WasmFormatException($"table element type {t} is not a reference type", r.Offset - 1);
        return t;
    }

    /// <summary>https://webassembly.github.io/spec/core/binary/types.html#limits (+ threads and memory64 flag bits).</summary>
    private static WasmLimitsValue ReadLimits(ref WasmBinaryReader r, bool isMemory)
    {
        var flagsOffset = r.Offset;
        var flags = r.ReadByte();
        var allowed = isMemory ? 0x07 : 0x01;
        if ((flags & ~allowed) != 0) throw new WasmFormatException($"unknown limits flags 0x{flags:X2}", flagsOffset);
        var is64 = (flags & 0x04) != 0;
        var shared = (flags & 0x02) != 0;
        var min = is64 ? r.ReadU64() : r.ReadU32();
        ulong? max = (flags & 0x01) != 0 ? (is64 ? r.ReadU64() : r.ReadU32()) : null;
        if (max < min) throw new WasmFormatException($"limits maximum {max} is below minimum {min}", flagsOffset);
        if (shared && max is null) throw new WasmFormatException("shared memory must declare a maximum", flagsOffset);
        if (isMemory && !is64 && (min > 65536 || max > 65536))
            throw new WasmFormatException("32-bit memory larger than 65536 pages (4 GiB)", flagsOffset);
        return new WasmLimitsValue(min, max, shared, is64);
    }

    private static void ParseImports(ref WasmBinaryReader r, ParseState s)
    {
        var count = r.ReadCount("import", s.Limits.MaxImports, 4);
        for (var i = 0; i < count; i++)
        {
            var module = r.ReadName(s.Limits.MaxNameBytes);
            var name = r.ReadName(s.Limits.MaxNameBytes);
            var kindOffset = r.Offset;
            var kind = r.ReadByte();
            switch (kind)
            {
                case 0:
                    var typeIndex = s.ReadTypeIndex(ref r);
                    if (s.FunctionTypeIndices.Count >= s.Limits.MaxFunctions) throw r.Error("too many functions");
                    s.FunctionTypeIndices.Add(typeIndex);
                    s.ImportedFunctionCount++;
                    s.Imports.Add(new WasmImport(module, name, WasmExternalKind.Function) { FunctionType = s.Types[(int)typeIndex] });
                    break;
                case 1:
                    if (s.Tables.Count >= s.Limits.MaxTables) throw r.Error("too many tables");
                    var tableType = ReadRefType(ref r);
                    var tableLimits = ReadLimits(ref r, false);
                    s.Tables.Add(new WasmTable(tableType, tableLimits, true));
                    s.Imports.Add(new WasmImport(module, name, WasmExternalKind.Table) { Limits = tableLimits });
                    break;
                case 2:
                    if (s.Memories.Count >= s.Limits.MaxMemories) throw r.Error("too many memories");
                    var memoryLimits = ReadLimits(ref r, true);
                    s.Memories.Add(new WasmMemory(memoryLimits, true));
                    s.Imports.Add(new WasmImport(module, name, WasmExternalKind.Memory) { Limits = memoryLimits });
                    break;
                case 3:
                    ReadValueType(ref r);
                    var mutability = r.ReadByte();
                    if (mutability > 1) throw new WasmFormatException($"global mutability {mutability} is not 0 or 1", r.Offset - 1);
                    s.GlobalCount++;
                    s.Imports.Add(new WasmImport(module, name, WasmExternalKind.Global));
                    break;
                case 4:
                    if (r.ReadByte() != 0) throw new WasmFormatException("tag attribute must be 0", r.Offset - 1);
                    s.ReadTypeIndex(ref r);
                    s.Imports.Add(new WasmImport(module, name, WasmExternalKind.Tag));
                    break;
                default:
                    throw new WasmFormatException($"import {module}.{name}: unknown kind {kind}", kindOffset);
            }
        }
    }

    private static void ParseExports(ref WasmBinaryReader r, ParseState s)
    {
        var count = r.ReadCount("export", s.Limits.MaxExports, 3);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var nameOffset = r.Offset;
            var name = r.ReadName(s.Limits.MaxNameBytes);
            if (!names.Add(name)) throw new WasmFormatException($"export name '{name}' is duplicated", nameOffset);
            var kindByte = r.ReadByte();
            var indexOffset = r.Offset;
            var index = r.ReadU32();
            var kind = kindByte switch
            {
                <= 4 => (WasmExternalKind)kindByte,
                _ => throw new WasmFormatException($"export '{name}': unknown kind {kindByte}", indexOffset - 1),
            };
            var bound = kind switch
            {
                WasmExternalKind.Function => s.FunctionTypeIndices.Count,
                WasmExternalKind.Table => s.Tables.Count,
                WasmExternalKind.Memory => s.Memories.Count,
                WasmExternalKind.Global => s.GlobalCount,
                _ => int.MaxValue,
            };
            if (index >= (uint)bound)
                throw new WasmFormatException($"export '{name}': {kind.ToString().ToLowerInvariant()} index {index} does not exist", indexOffset);
            s.Exports.Add(new WasmExport(name, kind, index));
        }
    }

    /// <summary>Mutable accumulator for one parse; never escapes.</summary>
    private sealed class ParseState(WasmLimits limits)
    {
        public WasmLimits Limits { get; } = limits;
        public List<WasmSection> Sections { get; } = [];
        public List<WasmFunctionType> Types { get; } = [];
        public List<WasmImport> Imports { get; } = [];
        public List<WasmExport> Exports { get; } = [];
        public List<WasmMemory> Memories { get; } = [];
        public List<WasmTable> Tables { get; } = [];
        public List<uint> FunctionTypeIndices { get; } = [];
        public int ImportedFunctionCount { get; set; }
        public int DefinedFunctionCount { get; set; }
        public int GlobalCount { get; set; }
        public uint? StartFunction { get; set; }
        public bool SawCode { get; set; }

        public uint ReadTypeIndex(ref WasmBinaryReader r)
        {
            var offset = r.Offset;
            var index = r.ReadU32();
            if (index >= (uint)Types.Count) throw new WasmFormatException($"type index {index} does not exist ({Types.Count} types)", offset);
            return index;
        }

        public WasmModule Finish()
        {
            if (DefinedFunctionCount > 0 && !SawCode)
                throw new WasmFormatException($"function section declares {DefinedFunctionCount} functions but there is no code section", -1);
            return new WasmModule
            {
                Sections = Sections,
                Types = Types,
                Imports = Imports,
                Exports = Exports,
                Memories = Memories,
                Tables = Tables,
                FunctionTypeIndices = FunctionTypeIndices,
                ImportedFunctionCount = ImportedFunctionCount,
                GlobalCount = GlobalCount,
                StartFunction = StartFunction,
            };
        }
    }
}
