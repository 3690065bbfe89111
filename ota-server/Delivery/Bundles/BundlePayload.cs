using AtymSecure.Delivery.Delta;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Bundles;

/// <summary>The bytes a bundle carries and how the device turns them into the target image.</summary>
public sealed record BundlePayload(PayloadKind Kind, PayloadCodec Codec, ReadOnlyMemory<byte> Bytes, Digest? BaseDigest = null, ulong? BaseSize = null)
{
    public static BundlePayload Full(ReadOnlyMemory<byte> target) => new(PayloadKind.Full, PayloadCodec.None, target);

    /// <summary>
    /// A full payload, or — when the device runs <paramref name="baseImage"/> — the smallest delta its class can
    /// decode, each candidate proven by decoding it (<see cref="DeltaChooser"/>), falling back to full when no
    /// delta is smaller. <paramref name="choice"/> lists the candidates (null without a base).
    /// </summary>
    public static BundlePayload Choose(ReadOnlyMemory<byte> target, ReadOnlyMemory<byte>? baseImage, DeviceClass deviceClass, out DeltaChoice? choice)
    {
        ArgumentNullException.ThrowIfNull(deviceClass);
        choice = null;
        if (baseImage is not { } old) return Full(target);
        choice = DeltaChooser.Choose(old, target, deviceClass);
        if (choice.Kind == DeltaPayloadKind.Full || choice.Chosen is null) return Full(target);
        var codec = choice.Chosen.Codec switch
        {
            DeltaCodec.ZstdPrefix => PayloadCodec.ZstdPrefix,
            DeltaCodec.SeqDiff => PayloadCodec.SeqDiff,
            _ => throw new InvalidOperationException($"no bundle codec for delta codec {choice.Chosen.Codec}"),
        };
        return new BundlePayload(PayloadKind.Delta, codec, choice.Chosen.Patch, Digest.Compute(old.Span), (ulong)old.Length);
    }
}
