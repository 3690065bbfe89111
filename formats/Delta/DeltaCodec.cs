namespace AtymSecure.Formats.Delta;

/// <summary>Codec of a delta patch body; the numeric value is the wire value (formats/Delta/README.md).</summary>
public enum DeltaCodec : byte
{
    /// <summary>Linux-class: one zstd frame compressed with the old image as raw-content prefix.</summary>
    ZstdPrefix = 1,

    /// <summary>MCU-class: streaming bsdiff-class codec, range-coded in independent blocks (SeqDiff).</summary>
    SeqDiff = 2,
}
