using System.Globalization;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Compilation;

namespace AtymSecure.Delivery.Tests.Compilation;

[Collection(TestKernelCollection.Name)]
[Trait("Requires", "clang")]
[Trait("Requires", "qemu")]
public sealed class Wasm2cCompilerTests(TestKernelFixture kernel)
{
    [Fact]
    public async Task Cortex_m4_object_linked_with_picolibc_runs_under_qemu_system_arm_with_the_plain_wasm_result()
    {
        var gcc = CompilationTestEnvironment.Require("arm-none-eabi-gcc", "gcc-arm-none-eabi");
        var qemu = CompilationTestEnvironment.Require("qemu-system-arm", "qemu-system-arm");
        ToolLocator.RequirePath("/usr/lib/picolibc/arm-none-eabi/picolibc.specs", "picolibc-arm-none-eabi");
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.McuCortexM4);
        var dir = Directory.CreateTempSubdirectory("atym-aot-m4-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "module.o"), artifact.Bytes.ToArray());
            // mps2-an386: Cortex-M4 with 4 MiB of SRAM at 0 and at 0x20000000; the 64 KiB Wasm page comes from the heap.
            await ToolRunner.RunCheckedAsync(gcc,
                ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-O2", "--specs=picolibc.specs", "--oslib=semihost",
                 "-DATYM_RUN_ARG=" + TestKernelFixture.RunArgument.ToString(CultureInfo.InvariantCulture),
                 "-Wl,--defsym=__flash=0", "-Wl,--defsym=__flash_size=0x400000", "-Wl,--defsym=__ram=0x20000000",
                 "-Wl,--defsym=__ram_size=0x400000", "-Wl,--defsym=__stack_size=0x4000",
                 "-o", "kernel-m4.elf", Path.Combine(CompilationTestEnvironment.TestData, "harness.c"), "module.o"],
                dir, TimeSpan.FromMinutes(2), CancellationToken.None);

            var run = await ToolRunner.RunAsync(qemu,
                ["-M", "mps2-an386", "-nographic", "-semihosting-config", "enable=on,target=native", "-kernel", "kernel-m4.elf"],
                dir, CompilationTestEnvironment.QemuTimeout, line => line.TrimEnd('\r') == "ATYM-DONE", CancellationToken.None);

            Assert.False(run.TimedOut, $"qemu-system-arm produced no ATYM-DONE line within the limit; output: {run.StandardOutput} {run.StandardError}");
            // The semihosting console goes to qemu's stderr, with CR LF line ends.
            var lines = (run.StandardOutput + run.StandardError).Split('\n').Select(l => l.TrimEnd('\r'));
            Assert.Contains($"result={kernel.ExpectedResult}", lines);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task X86_64_object_linked_natively_gives_the_plain_wasm_result()
    {
        var gcc = CompilationTestEnvironment.Require("gcc", "gcc");
        var artifact = await AotCompilerRegistry.CompileAsync(kernel.Wasm, Wasm2cTargets.LinuxX86_64, CancellationToken.None);
        Assert.Equal(ElfHeader.MachineX86_64, ElfHeader.Read(artifact.Bytes.Span).Machine);
        var dir = Directory.CreateTempSubdirectory("atym-aot-w2c-x64-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "module.o"), artifact.Bytes.ToArray());
            await ToolRunner.RunCheckedAsync(gcc,
                ["-O2", "-DATYM_RUN_ARG=" + TestKernelFixture.RunArgument.ToString(CultureInfo.InvariantCulture),
                 "-o", "kernel-x64", Path.Combine(CompilationTestEnvironment.TestData, "harness.c"), "module.o", "-lm"],
                dir, TimeSpan.FromMinutes(2), CancellationToken.None);

            var run = await ToolRunner.RunCheckedAsync(Path.Combine(dir, "kernel-x64"), [], dir, TimeSpan.FromSeconds(20), CancellationToken.None);

            Assert.Contains($"result={kernel.ExpectedResult}\n", run.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Aarch64_object_linked_statically_runs_under_qemu_aarch64_with_the_plain_wasm_result()
    {
        var gcc = CompilationTestEnvironment.Require("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu");
        var qemu = CompilationTestEnvironment.Require("qemu-aarch64", "qemu-user");
        var artifact = await AotCompilerRegistry.CompileAsync(kernel.Wasm, Wasm2cTargets.LinuxAarch64, CancellationToken.None);
        Assert.Equal(ElfHeader.MachineAarch64, ElfHeader.Read(artifact.Bytes.Span).Machine);
        var dir = Directory.CreateTempSubdirectory("atym-aot-w2c-a64-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "module.o"), artifact.Bytes.ToArray());
            await ToolRunner.RunCheckedAsync(gcc,
                ["-O2", "-static", "-DATYM_RUN_ARG=" + TestKernelFixture.RunArgument.ToString(CultureInfo.InvariantCulture),
                 "-o", "kernel-a64", Path.Combine(CompilationTestEnvironment.TestData, "harness.c"), "module.o", "-lm"],
                dir, TimeSpan.FromMinutes(2), CancellationToken.None);

            var run = await ToolRunner.RunCheckedAsync(qemu, ["kernel-a64"], dir, CompilationTestEnvironment.QemuTimeout, CancellationToken.None);

            Assert.Contains($"result={kernel.ExpectedResult}\n", run.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("mcu-cortex-m4", ElfHeader.MachineArm)]
    [InlineData("mcu-cortex-m33", ElfHeader.MachineArm)]
    [InlineData("mcu-riscv32", ElfHeader.MachineRiscV)]
    public async Task Mcu_classes_compile_to_deterministic_32_bit_relocatable_objects(string deviceClass, int machine)
    {
        var first = await kernel.CompileOnceAsync(DeviceClassTable.Get(deviceClass));
        var second = await AotCompilerRegistry.CompileAsync(kernel.Wasm, deviceClass, CancellationToken.None);

        var elf = ElfHeader.Read(first.Bytes.Span);
        Assert.Equal((ElfHeader.Class32, ElfHeader.TypeRelocatable, machine), (elf.Class, elf.Type, elf.Machine));
        Assert.True(first.Bytes.Span.SequenceEqual(second.Bytes.Span), $"{deviceClass}: wasm2c output differs between two compilations");
        Assert.Equal(first.Recipe.ToJsonBytes(), second.Recipe.ToJsonBytes());
        Assert.Equal(AotMediaTypes.Wasm2cObject, first.MediaType);
        Assert.Equal(BackEndVersions.Wabt, first.Recipe.Tools["wasm2c"]);
        Assert.Contains(first.Recipe.Steps, s => s.Contains("-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0", StringComparison.Ordinal));
        Assert.Contains("wasm-rt-impl.c", first.Recipe.Inputs.Keys);
        Assert.Contains("mcu-stub/sys/mman.h", first.Recipe.Inputs.Keys);
    }

    [Fact]
    public async Task Mcu_runtime_uses_the_small_exception_buffer()
    {
        var artifact = await kernel.CompileOnceAsync(DeviceClassTable.McuCortexM4);
        var size = CompilationTestEnvironment.Require("arm-none-eabi-size", "binutils-arm-none-eabi");
        var dir = Directory.CreateTempSubdirectory("atym-aot-size-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "module.o"), artifact.Bytes.ToArray());
            var r = await ToolRunner.RunCheckedAsync(size, ["module.o"], dir, TimeSpan.FromSeconds(30), CancellationToken.None);
            // "   text    data     bss     dec     hex filename" then the numbers.
            var fields = r.StandardOutput.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var bss = int.Parse(fields[2], CultureInfo.InvariantCulture);
            Assert.True(bss < 4096, $"bss is {bss} bytes; upstream wasm2c's 64 KiB exception buffer was not reduced");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_wasm2c_other_than_1_0_32_is_refused_with_a_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("atym-aot-fake-").FullName;
        try
        {
            var fake = Path.Combine(dir, "wasm2c");
            await File.WriteAllTextAsync(fake, "#!/bin/sh\necho 1.0.34\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute);

            var ex = await Assert.ThrowsAsync<AotToolVersionException>(() => ToolVersionProbe.RequireWasm2cVersionAsync(fake, CancellationToken.None));

            Assert.Contains("1.0.34", ex.Message, StringComparison.Ordinal);
            Assert.Contains("1.0.32", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Wasm2c_keys_with_signal_handler_bounds_checks_are_refused()
    {
        var key = CompilationKey.ForDeviceClass(DeviceClassTable.McuCortexM4);
        var bad = key with { Engine = key.Engine with { BoundsChecks = BoundsCheckMode.GuardPages, ExceptionBufferBytes = 0 } };

        var ex = await Assert.ThrowsAsync<AotCompilationException>(() => new Wasm2cCompiler().CompileAsync(kernel.Wasm, bad, null, CancellationToken.None));

        Assert.Contains("explicit bounds checks", ex.Message, StringComparison.Ordinal);
        Assert.Contains("exceptionBufferBytes", ex.Message, StringComparison.Ordinal);
    }
}
