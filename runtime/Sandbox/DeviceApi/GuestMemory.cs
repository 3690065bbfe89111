using System.Text;
using Wasmtime;

namespace AtymSecure.Runtime.DeviceApi;

/// <summary>A pointer/length from the guest that falls outside its memory: the call traps.</summary>
public sealed class GuestMemoryFaultException : Exception
{
    public GuestMemoryFaultException(string message) : base(message) { }
    public GuestMemoryFaultException() { }
    public GuestMemoryFaultException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Bounds-checked access to the calling module's exported memory 0 (<c>memory</c>).</summary>
internal readonly struct GuestMemory
{
    private readonly Memory _memory;

    private GuestMemory(Memory memory) => _memory = memory;

    public static GuestMemory Of(Caller caller) =>
        new(caller.GetMemory("memory") ?? throw new GuestMemoryFaultException("the module exports no 'memory'; the device API needs it"));

    public Span<byte> Span(int pointer, int length)
    {
        var p = (uint)pointer;
        var l = (uint)length;
        var size = _memory.GetLength();
        if ((ulong)p + l > (ulong)size)
            throw new GuestMemoryFaultException($"guest range [{p}, +{l}) is outside its {size}-byte memory");
        return _memory.GetSpan(p, (int)l);
    }

    public string Utf8(int pointer, int length, int maxLength)
    {
        if ((uint)length > (uint)maxLength) throw new GuestMemoryFaultException($"string of {(uint)length} bytes is longer than {maxLength}");
        return Encoding.UTF8.GetString(Span(pointer, length));
    }

    public void WriteU32(int pointer, uint value) => System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(Span(pointer, 4), value);

    public void WriteU64(int pointer, ulong value) => System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(Span(pointer, 8), value);

    public uint ReadU32(int pointer) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(Span(pointer, 4));

    public ulong ReadU64(int pointer) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(Span(pointer, 8));

    public long Length => _memory.GetLength();
}
