using System.Buffers.Binary;
using System.Text;

namespace AtymSecure.Runtime.Artifacts;

/// <summary>
/// What a Wasmtime <c>.cwasm</c> says about how it was compiled: the ELF machine, and from its
/// <c>.wasmtime.engine</c> section the Wasmtime version, target triple and Cranelift shared/ISA flags.
/// Read before <c>Module.Deserialize</c> so a mismatch gets a precise message (the .NET API has no
/// <c>Engine.DetectPrecompiled</c>). The section is postcard-encoded (varint lengths); the layout read
/// here is Wasmtime 50's <c>Metadata</c> prefix: version, triple, shared flags, ISA flags.
/// </summary>
public sealed record PrecompiledHeader(
    ushort ElfMachine,
    string WasmtimeVersion,
    string Target,
    IReadOnlyDictionary<string, string> SharedFlags,
    IReadOnlyDictionary<string, string> IsaFlags)
{
    public const ushort MachineX86_64 = 62;
    public const ushort MachineAarch64 = 183;

    /// <summary>Pulley artifacts carry the RISC-V machine number (Wasmtime reuses it for Pulley ELF files).</summary>
    public const ushort MachinePulley = 243;

    private const int MaxSections = 256;
    private const int MaxFlags = 512;
    private const int MaxStringLength = 256;
    private const string EngineSection = ".wasmtime.engine";

    /// <summary>ISA flags that are on (<c>has_avx2</c> = true ...), sorted.</summary>
    public IReadOnlyList<string> EnabledIsaFlags =>
        [.. IsaFlags.Where(p => p.Value == "true").Select(p => p.Key).Order(StringComparer.Ordinal)];

    /// <exception cref="ArtifactIncompatibleException">Not a Wasmtime precompiled file, or a damaged one.</exception>
    public static PrecompiledHeader Read(ReadOnlySpan<byte> file)
    {
        try
        {
            return ReadCore(file);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException or DecoderFallbackException)
        {
            throw new ArtifactIncompatibleException($"not a readable Wasmtime precompiled artifact: {e.Message}", e);
        }
    }

    private static PrecompiledHeader ReadCore(ReadOnlySpan<byte> file)
    {
        if (file.Length < 64 || file[0] != 0x7F || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F')
            throw new ArtifactIncompatibleException("not a Wasmtime precompiled artifact: no ELF header (plain Wasm or another format?)");
        if (file[4] != 2 || file[5] != 1)
            throw new ArtifactIncompatibleException("not a Wasmtime precompiled artifact: only 64-bit little-endian ELF files are produced by Wasmtime here");
        var machine = BinaryPrimitives.ReadUInt16LittleEndian(file[18..]);
        var sectionTable = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file[0x28..]));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(file[0x3A..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(file[0x3C..]);
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(file[0x3E..]);
        if (entrySize != 64 || count == 0 || count > MaxSections || namesIndex >= count)
            throw new ArtifactIncompatibleException($"not a Wasmtime precompiled artifact: bad section table (entry size {entrySize}, {count} sections)");

        var names = Section(file, sectionTable, namesIndex);
        for (var i = 0; i < count; i++)
        {
            var header = file.Slice(checked(sectionTable + (i * 64)), 64);
            var nameOffset = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(header));
            if (NameAt(names, nameOffset) != EngineSection) continue;
            return ParseEngineSection(machine, Section(file, sectionTable, i));
        }
        throw new ArtifactIncompatibleException($"not a Wasmtime precompiled artifact: no {EngineSection} section");
    }

    private static ReadOnlySpan<byte> Section(ReadOnlySpan<byte> file, int sectionTable, int index)
    {
        var header = file.Slice(checked(sectionTable + (index * 64)), 64);
        var offset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]));
        var size = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]));
        return file.Slice(offset, size);
    }

    private static string NameAt(ReadOnlySpan<byte> names, int offset)
    {
        var rest = names[offset..];
        var end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }

    private static PrecompiledHeader ParseEngineSection(ushort machine, ReadOnlySpan<byte> section)
    {
        var reader = new PostcardReader(section);
        var tag = reader.Byte();
        if (tag != 0) throw new ArtifactIncompatibleException($"unknown {EngineSection} layout (first byte {tag})");
        var version = reader.String();
        var target = reader.String();
        var shared = reader.Flags();
        var isa = reader.Flags();
        return new PrecompiledHeader(machine, version, target, shared, isa);
    }

    /// <summary>Minimal postcard decoding for the engine section: varints, strings, flag lists.</summary>
    private ref struct PostcardReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public byte Byte() => _data[_position++];

        public int Varint()
        {
            var value = 0;
            for (var shift = 0; shift < 32; shift += 7)
            {
                var b = Byte();
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value >= 0 ? value : throw new OverflowException("negative varint");
            }
            throw new OverflowException("varint longer than 5 bytes");
        }

        public string String()
        {
            var length = Varint();
            if (length > MaxStringLength) throw new OverflowException($"string of {length} bytes in the engine section");
            var s = Encoding.UTF8.GetString(_data.Slice(_position, length));
            _position += length;
            return s;
        }

        /// <summary>A list of (name, value) where value is Enum(string)=0, Num(u8)=1 or Bool(u8)=2.</summary>
        public SortedDictionary<string, string> Flags()
        {
            var count = Varint();
            if (count > MaxFlags) throw new OverflowException($"{count} flags in the engine section");
            var flags = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var name = String();
                var kind = Byte();
                flags[name] = kind switch
                {
                    0 => String(),
                    1 => Byte().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    2 => Byte() != 0 ? "true" : "false",
                    _ => throw new OverflowException($"unknown flag value kind {kind} for '{name}'"),
                };
            }
            return flags;
        }
    }
}
