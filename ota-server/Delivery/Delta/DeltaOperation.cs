namespace AtymSecure.Delivery.Delta;

/// <summary>
/// One bsdiff-style step of reconstruction: <see cref="DiffLength"/> bytes of new from
/// old[<see cref="OldStart"/>..] plus a byte-wise difference, then <see cref="ExtraLength"/>
/// literal bytes. Operations tile the new image from 0 to its end.
/// </summary>
public readonly record struct DeltaOperation(int NewStart, int OldStart, int DiffLength, int ExtraLength)
{
    public int NewEnd => NewStart + DiffLength + ExtraLength;
}
