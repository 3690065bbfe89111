using System.Security.Cryptography;
using System.Text;

namespace AtymSecure.DeviceAgent.Trust;

/// <summary>
/// The MAC key of one of the agent's stores (docs/trust-model.md §4: "MAC'd with the bootloader key"), derived from
/// bootloader.key as HMAC-SHA256(bootloader key, label). Each store has a label of its own, so a MAC lifted from one
/// store never verifies another; a replaced bootloader.key fails every store's MAC, which is recovery state.
/// The one derivation for every agent store: the trust store's commit record and trusted/trust.json.
/// </summary>
public sealed class StoreMacKey
{
    /// <summary>Hex text of an HMAC-SHA256.</summary>
    public const int HexLength = 64;

    private readonly byte[] _key;

    private StoreMacKey(byte[] key) => _key = key;

    public static StoreMacKey Derive(ReadOnlySpan<byte> bootloaderKey, string label) =>
        new(HMACSHA256.HashData(bootloaderKey, Encoding.ASCII.GetBytes(label)));

    public byte[] Mac(ReadOnlySpan<byte> body) => HMACSHA256.HashData(_key, body);

    public string MacHex(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(Mac(body));

    /// <summary>Constant-time check of <paramref name="mac"/> (raw bytes) against <paramref name="body"/>.</summary>
    public bool Verifies(ReadOnlySpan<byte> body, ReadOnlySpan<byte> mac) => CryptographicOperations.FixedTimeEquals(Mac(body), mac);
}
