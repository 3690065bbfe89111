using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Delta;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Delivery.Bundles;

/// <summary>What was built, for the CLI and the OTA server to report.</summary>
public sealed record BuiltBundle(BundleHeader Header, DeltaChoice? Choice)
{
    public bool IsDelta => Header.PayloadKind == PayloadKind.Delta;

    /// <summary>What the bundle grants (set by <see cref="ContainerBundleCutter"/>; empty for a raw artifact).</summary>
    public IReadOnlyList<Formats.Container.Capability> Grants { get; init; } = [];

    /// <summary>The target image the device ends up with (set by <see cref="ContainerBundleCutter"/>).</summary>
    public ReadOnlyMemory<byte> TargetImage { get; init; }
}

/// <summary>
/// Cuts the bundle for one device: a full bundle, or — when the device runs <c>baseImage</c> — the
/// smallest delta its class can decode, each candidate proven by decoding it before it is signed
/// (<see cref="DeltaChooser"/>), falling back to full when no delta is smaller.
/// </summary>
public static class BundleBuilder
{
    public static BundlePayload ChoosePayload(BundleTarget target, ReadOnlyMemory<byte>? baseImage, out DeltaChoice? choice)
    {
        ArgumentNullException.ThrowIfNull(target);
        choice = null;
        if (baseImage is not { } old) return BundlePayload.Full(target.TargetImage);
        var deviceClass = DeviceClassTable.Get(target.DeviceClass);
        choice = DeltaChooser.Choose(old, target.TargetImage, deviceClass);
        if (choice.Kind == DeltaPayloadKind.Full || choice.Chosen is null) return BundlePayload.Full(target.TargetImage);
        var codec = choice.Chosen.Codec switch
        {
            DeltaCodec.ZstdPrefix => PayloadCodec.ZstdPrefix,
            DeltaCodec.SeqDiff => PayloadCodec.SeqDiff,
            _ => throw new InvalidOperationException($"no bundle codec for delta codec {choice.Chosen.Codec}"),
        };
        return new BundlePayload(PayloadKind.Delta, codec, choice.Chosen.Patch, SHA256.HashData(old.Span), (ulong)old.Length);
    }

    public static async Task<BuiltBundle> WriteFileAsync(string path, BundleTarget target, ReadOnlyMemory<byte>? baseImage,
        IReadOnlyList<ISigningKey> keys, CancellationToken ct = default)
    {
        var payload = ChoosePayload(target, baseImage, out var choice);
        var header = await BundleWriter.WriteFileAsync(path, target, payload, keys, ct).ConfigureAwait(false);
        return new BuiltBundle(header, choice);
    }
}
