namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>Hands out at most <c>maxRead</c> bytes per read, as a network stream may: readers must loop until a part is complete.</summary>
internal sealed class ShortReadStream(byte[] data, int maxRead) : MemoryStream(data, writable: false)
{
    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, maxRead)]);

    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, maxRead));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, maxRead)], cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        base.ReadAsync(buffer, offset, Math.Min(count, maxRead), cancellationToken);
}
