using System.Security.Cryptography;
using AtymSecure.Engines;
using AtymSecure.Formats.Bundle;
using AtymSecure.Runtime.Artifacts;
using Wasmtime;

namespace AtymSecure.Runtime.Tests.Support;

/// <summary>
/// Precompiled code edited by hand, as the attacker of issue 11 did: a module is compiled for the device class
/// (its `.cwasm` passes every header and engine check), then the machine code right after a marker constant is
/// overwritten with instructions no Wasm could produce. The artifact is then "signed" (its metadata names the edited
/// bytes' SHA-256), so the device verifies it and runs it. x86-64 only (the instructions are x86-64).
/// </summary>
internal static class HandEditedNativeCode
{
    /// <summary>The marker: a Wasm constant whose imm32 ends an instruction, so the next byte starts one.</summary>
    public const int Marker = 0x5EC0DE01;

    /// <summary>A step function that stores the marker, then four more constants (room for the patch), and returns 0.</summary>
    public const string MarkedStep = """
        (module
          (memory (export "memory") 1 1)
          (global $a (mut i32) (i32.const 0))
          (global $b (mut i32) (i32.const 0))
          (global $c (mut i32) (i32.const 0))
          (global $d (mut i32) (i32.const 0))
          (global $e (mut i32) (i32.const 0))
          (func (export "atym_step") (result i32)
            (global.set $a (i32.const 0x5EC0DE01))
            (global.set $b (i32.const 0x11111111))
            (global.set $c (i32.const 0x22222222))
            (global.set $d (i32.const 0x33333333))
            (global.set $e (i32.const 0x44444444))
            (i32.const 0)))
        """;

    /// <summary><c>mov edi, code; mov eax, 231 (exit_group); syscall</c> — what libc's <c>exit(code)</c> does.</summary>
    public static byte[] ExitGroup(byte code) => [0xBF, code, 0, 0, 0, 0xB8, 231, 0, 0, 0, 0x0F, 0x05];

    /// <summary><c>xor eax, eax; mov [rax], eax</c> — a write to address 0 outside any Wasm trap site: SIGSEGV.</summary>
    public static byte[] NullWrite => [0x31, 0xC0, 0x89, 0x00];

    /// <summary><c>jmp $</c> — a loop with no epoch check: the engine can never interrupt it.</summary>
    public static byte[] Spin => [0xEB, 0xFE];

    public static VerifiedArtifact Artifact(EngineProfile profile, string name, byte[] patch)
    {
        using var engine = EngineFactory.Create(profile);
        using var module = Module.FromText(engine, name, MarkedStep);
        var bytes = module.Serialize();
        var marker = BitConverter.GetBytes(Marker);
        var at = bytes.AsSpan().IndexOf(marker);
        if (at < 0 || bytes.AsSpan(at + 1).IndexOf(marker) >= 0)
            throw new InvalidOperationException("the marker constant must occur exactly once in the compiled code");
        patch.CopyTo(bytes, at + marker.Length);
        return VerifiedArtifact.Verify(bytes, new ArtifactExpectation(name, ArtifactKind.WasmtimeNative,
            Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, profile.DeviceClass, profile.Target));
    }

    /// <summary>The same module compiled for the class without any edit (a well-behaved native container).</summary>
    public static VerifiedArtifact Compiled(EngineProfile profile, string name, string wat)
    {
        using var engine = EngineFactory.Create(profile);
        using var module = Module.FromText(engine, name, wat);
        var bytes = module.Serialize();
        return VerifiedArtifact.Verify(bytes, new ArtifactExpectation(name, ArtifactKind.WasmtimeNative,
            Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, profile.DeviceClass, profile.Target));
    }
}
