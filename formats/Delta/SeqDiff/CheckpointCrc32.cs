namespace AtymSecure.Formats.Delta.SeqDiff;

/// <summary>CRC-32 (IEEE, reflected 0xEDB88320) for the small checkpoint record; bitwise, no table.</summary>
internal static class CheckpointCrc32
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
            }
        }

        return ~crc;
    }
}
