using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Formats.Tests.DeviceClasses;

public class DeviceClassTableTests
{
    [Fact]
    public void The_table_holds_the_six_stable_names_in_order()
    {
        Assert.Equal(
            ["linux-x86_64", "linux-aarch64", "portable-pulley64", "mcu-cortex-m4", "mcu-cortex-m33", "mcu-riscv32"],
            DeviceClassTable.Names);
    }

    [Theory]
    [InlineData("linux-x86_64", Isa.X86_64, "x86_64-unknown-linux-gnu", 64, false, AotBackEndKind.WasmtimeCranelift)]
    [InlineData("linux-aarch64", Isa.Aarch64, "aarch64-unknown-linux-gnu", 64, false, AotBackEndKind.WasmtimeCranelift)]
    [InlineData("portable-pulley64", Isa.Pulley64, "pulley64", 64, false, AotBackEndKind.WasmtimeCranelift)]
    [InlineData("mcu-cortex-m4", Isa.ArmV7EM, "thumbv7em-none-eabihf", 32, true, AotBackEndKind.Wasm2c)]
    [InlineData("mcu-cortex-m33", Isa.ArmV8MMain, "thumbv8m.main-none-eabihf", 32, true, AotBackEndKind.Wasm2c)]
    [InlineData("mcu-riscv32", Isa.RiscV32, "riscv32imac-unknown-none-elf", 32, true, AotBackEndKind.Wasm2c)]
    public void Each_class_has_its_isa_triple_pointer_width_and_back_end(string name, Isa isa, string triple, int bits, bool mcu, AotBackEndKind backEnd)
    {
        var c = DeviceClassTable.Get(name);
        Assert.Equal((isa, triple, bits, mcu, backEnd), (c.Isa, c.Triple, c.PointerBits, c.IsMicrocontroller, c.BackEnd));
    }

    [Fact]
    public void Lookup_is_exact_and_unknown_names_fail_with_the_known_list()
    {
        Assert.False(DeviceClassTable.TryGet("Linux-X86_64", out _));
        Assert.False(DeviceClassTable.IsKnown(null));
        var e = Assert.Throws<KeyNotFoundException>(() => DeviceClassTable.Get("esp32"));
        Assert.Contains("mcu-riscv32", e.Message);
    }

    [Fact]
    public void Records_compare_by_value_and_change_without_mutating_the_table()
    {
        var copy = DeviceClassTable.McuCortexM4 with { };
        var changed = DeviceClassTable.McuCortexM4 with { Triple = "thumbv7em-none-eabi" };
        Assert.Equal(DeviceClassTable.McuCortexM4, copy);
        Assert.NotEqual(DeviceClassTable.McuCortexM4, changed);
        Assert.Equal("thumbv7em-none-eabihf", DeviceClassTable.McuCortexM4.Triple);
    }
}
