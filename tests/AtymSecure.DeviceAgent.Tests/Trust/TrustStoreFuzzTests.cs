using System.Security.Cryptography;
using System.Text;
using AtymSecure.DeviceAgent.Trust;
using CsCheck;

namespace AtymSecure.DeviceAgent.Tests.Trust;

/// <summary>
/// The trust store's readers under arbitrary bytes (CsCheck): the commit record's JSON (100k cases, or
/// <c>ATYM_FUZZ_ITERATIONS</c>) and whole stores whose state line was mutated and re-MAC'd, so the mutation reaches the
/// parser and the file checks. Only <see cref="TrustStoreDamagedException"/> may come out, or a load that succeeded.
/// </summary>
public sealed class TrustStoreFuzzTests : IDisposable
{
    private static long Iterations => long.TryParse(Environment.GetEnvironmentVariable("ATYM_FUZZ_ITERATIONS"), out var n) ? n : 100_000;

    private static readonly byte[] GoldenBody = StateBody(File.ReadAllBytes(Path.Combine(TrustStoreGoldenTests.GoldenStore, "trust", "state")));

    private readonly TempFolder _temp = TempFolder.Create("trust-fuzz");

    public void Dispose() => _temp.Dispose();

    private static byte[] StateBody(byte[] state) => state[..Array.LastIndexOf(state, (byte)'\n')];

    private static readonly string[] Tokens = ["null", "{}", "[]", "\"\"", "-1", "1e3", "9223372036854775808", ",", ":", "\"format\":2,", "\"x\":1,", "\"version\":0"];

    /// <summary>Byte edits of the golden JSON line: replace, insert, delete, or a token from the format.</summary>
    private static readonly Gen<byte[]> Mutated =
        Gen.Select(Gen.Int[0, GoldenBody.Length - 1].Array[1, 4], Gen.Byte.Array[1, 4], Gen.Int[0, 3]).Select((positions, bytes, kind) =>
        {
            var body = GoldenBody.ToList();
            for (var i = 0; i < positions.Length; i++)
            {
                var at = Math.Min(positions[i], body.Count - 1);
                var b = bytes[i % bytes.Length];
                switch (kind)
                {
                    case 0: body[at] = b; break;
                    case 1: body.Insert(at, b); break;
                    case 2: if (body.Count > 1) body.RemoveAt(at); break;
                    default: body.InsertRange(at, Encoding.ASCII.GetBytes(Tokens[b % Tokens.Length])); break;
                }
            }
            return body.ToArray();
        });

    [Fact]
    public void The_commit_record_reader_throws_only_its_typed_error() =>
        Gen.OneOf(Mutated, Gen.Byte.Array[0, 96]).Sample(bytes =>
        {
            try
            {
                TrustManifest.Parse(bytes);
            }
            catch (TrustStoreDamagedException)
            {
            }
        }, iter: Iterations);

    [Fact]
    public void A_whole_store_with_a_mutated_and_remacd_state_loads_or_is_recovery_state()
    {
        var device = TrustStoreGoldenTests.CopyOfGolden(_temp);
        var stateFile = Path.Combine(device.Root, "trust", "state");
        var macKey = HMACSHA256.HashData(TrustStoreGoldenTests.GoldenKey, "atym-trust-store-v1"u8);
        Mutated.Sample(body =>
        {
            File.WriteAllBytes(stateFile, [.. body, (byte)'\n', .. Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(macKey, body)))]);
            try
            {
                TrustStore.Open(device, TrustStoreGoldenTests.GoldenKey)!.Load();
            }
            catch (TrustStoreDamagedException)
            {
            }
        }, iter: 2_000, threads: 1);
    }
}
