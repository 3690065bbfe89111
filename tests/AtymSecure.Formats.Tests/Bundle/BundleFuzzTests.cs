using AtymSecure.Formats.Bundle;
using CsCheck;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>Random mutations of a valid bundle only ever give our two typed errors, or the original payload.</summary>
public class BundleFuzzTests
{
    private static readonly TestSigner Signer = TestSigner.Ecdsa();
    private static readonly byte[] Payload = TestBundles.Payload(3000);
    private static readonly byte[] Valid = TestBundles.Write(TestBundles.Header(Payload, 512), Payload, Signer);

    [Fact]
    public void Mutated_bundles_fail_only_with_typed_errors()
    {
        var mutation = Gen.Select(Gen.Int[0, Valid.Length - 1], Gen.Byte, Gen.Int[0, 3]);
        mutation.Array[1, 8].Sample(edits =>
        {
            var copy = (byte[])Valid.Clone();
            foreach (var (at, value, kind) in edits)
            {
                if (kind == 0) copy[at] = value;
                else copy[at] ^= (byte)(1 << (value % 8));
            }
            try
            {
                Assert.Equal(Payload, TestBundles.ReadVerified(copy, [Signer.Key]));
            }
            catch (Exception e) when (e is BundleFormatException or BundleVerificationException)
            {
            }
        }, iter: 3000);
    }

    [Fact]
    public void Random_bytes_never_crash_the_header_decoder() =>
        Gen.Byte.Array[0, 600].Sample(bytes =>
        {
            try { BundleHeaderCodec.Decode(bytes); }
            catch (BundleFormatException) { }
        }, iter: 5000);

    [Fact]
    public void Random_bytes_never_crash_the_signature_block_decoder() =>
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            try { BundleSignature.DecodeBlock(bytes); }
            catch (BundleFormatException) { }
        }, iter: 5000);
}
