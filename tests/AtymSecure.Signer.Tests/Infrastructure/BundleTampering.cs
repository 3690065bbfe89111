using System.Text;
using System.Text.Json.Nodes;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Tests.Infrastructure;

/// <summary>Edits of valid bundles that an attacker could make without the private key.</summary>
public static class BundleTampering
{
    /// <summary>Re-encodes the DSSE payload after <paramref name="edit"/>; the signature is kept as it was.</summary>
    public static byte[] EditDssePayload(byte[] bundleJson, Func<string, string> edit)
    {
        var root = JsonNode.Parse(bundleJson)!;
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(root["dsseEnvelope"]!["payload"]!.GetValue<string>()));
        root["dsseEnvelope"]!["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(edit(payload)));
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>Replaces the statement subject digest with <paramref name="other"/>, keeping the signature.</summary>
    public static byte[] SwapSubject(byte[] bundleJson, Digest original, Digest other) =>
        EditDssePayload(bundleJson, p => p.Replace(original.Encoded, other.Encoded, StringComparison.Ordinal));

    public static byte[] SetHint(byte[] bundleJson, string hint)
    {
        var root = JsonNode.Parse(bundleJson)!;
        root["verificationMaterial"]!["publicKey"]!["hint"] = hint;
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    public static byte[] SetMessageDigest(byte[] bundleJson, byte[] digest)
    {
        var root = JsonNode.Parse(bundleJson)!;
        root["messageSignature"]!["messageDigest"]!["digest"] = Convert.ToBase64String(digest);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    public static byte[] SetMediaType(byte[] bundleJson, string mediaType)
    {
        var root = JsonNode.Parse(bundleJson)!;
        root["mediaType"] = mediaType;
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>Flips one bit of the signature.</summary>
    public static byte[] FlipSignatureBit(byte[] bundleJson)
    {
        var root = JsonNode.Parse(bundleJson)!;
        var holder = root["dsseEnvelope"] is { } env ? env["signatures"]![0]! : root["messageSignature"]!;
        var field = root["dsseEnvelope"] is null ? "signature" : "sig";
        var sig = Convert.FromBase64String(holder[field]!.GetValue<string>());
        sig[sig.Length / 2] ^= 0x01;
        holder[field] = Convert.ToBase64String(sig);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    public static Digest RandomDigest() => Digest.Compute(Guid.NewGuid().ToByteArray());

    public static SigstoreBundle Parse(byte[] json) => SigstoreBundle.Parse(json);
}
