using AtymSecure.Formats.Bundle;
using CsCheck;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>Random mutations of a valid bundle only ever give our two typed errors, or the original payload (read with the synchronous reader, as devices do).</summary>
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

    /// <summary>Both envelope readers run one parser: on any mutation they give equal envelopes or the same problems, however short the reads.</summary>
    [Fact]
    public void Sync_and_async_envelope_readers_agree_on_mutated_bundles()
    {
        var mutation = Gen.Select(Gen.Int[0, Valid.Length - 1], Gen.Byte);
        Gen.Select(mutation.Array[0, 6], Gen.Int[1, 64], Gen.Int[0, Valid.Length]).Sample((edits, maxRead, cut) =>
        {
            var copy = Valid[..cut];
            foreach (var (at, value) in edits)
                if (at < copy.Length) copy[at] = value;
            var sync = Outcome(() => BundleEnvelope.Read(new ShortReadStream(copy, maxRead)));
            var async = Outcome(() => BundleEnvelope.ReadAsync(new ShortReadStream(copy, maxRead)).GetAwaiter().GetResult());
            Assert.Equal(sync.Envelope, async.Envelope);
            Assert.Equal(sync.Problems, async.Problems);
        }, iter: 2000);
    }

    private static (BundleEnvelope? Envelope, IReadOnlyList<Primitives.Problem>? Problems) Outcome(Func<BundleEnvelope> read)
    {
        try { return (read(), null); }
        catch (BundleFormatException e) { return (null, e.Problems); }
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
