using System.Buffers.Binary;

namespace AtymSecure.Delivery.Tests.Compilation;

/// <summary>The few ELF header fields the tests check (ELF spec, "ELF Header": e_ident, e_type, e_machine).</summary>
internal sealed record ElfHeader(int Class, int Type, int Machine)
{
    public const int Class32 = 1, Class64 = 2;
    public const int TypeRelocatable = 1, TypeDynamic = 3;
    public const int MachineArm = 40, MachineX86_64 = 62, MachineAarch64 = 183, MachineRiscV = 243;

    public static ElfHeader Read(ReadOnlySpan<byte> bytes)
    {
        Assert.True(bytes.Length >= 20, "too short for an ELF header");
        Assert.True(bytes[..4].SequenceEqual("\u007fELF"u8), "not an ELF file");
        Assert.Equal(1, bytes[5]); // little-endian on every target here
        return new ElfHeader(bytes[4], BinaryPrimitives.ReadUInt16LittleEndian(bytes[16..]), BinaryPrimitives.ReadUInt16LittleEndian(bytes[18..]));
    }
}
