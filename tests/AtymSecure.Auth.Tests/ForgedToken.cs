using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace AtymSecure.Auth.Tests;

/// <summary>
/// Hand-built JWTs an attacker could send: any header, any payload, signed (or not) however the test
/// says. Only tests build tokens by hand; the product signs through <see cref="Es256Tokens"/>.
/// </summary>
internal static class ForgedToken
{
    public static string Encode(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));

    public static JsonElement Decode(string part) => JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(part)).RootElement.Clone();

    /// <summary>The header and payload of <paramref name="token"/> as editable dictionaries.</summary>
    public static (Dictionary<string, JsonElement> Header, Dictionary<string, JsonElement> Payload) Open(string token)
    {
        var parts = token.Split('.');
        return (JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.DecodeBytes(parts[0]))!,
            JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.DecodeBytes(parts[1]))!);
    }

    public static string SignedWith(ECDsa key, object header, object payload)
    {
        var input = Encode(header) + "." + Encode(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64UrlEncoder.Encode(signature);
    }

    public static string SignedWithHmac(byte[] secret, object header, object payload)
    {
        var input = Encode(header) + "." + Encode(payload);
        return input + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    public static string Unsigned(object header, object payload) => Encode(header) + "." + Encode(payload) + ".";

    public static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);
}
