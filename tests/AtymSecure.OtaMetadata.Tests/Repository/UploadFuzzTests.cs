using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.OtaMetadata.Tests.Repository;

/// <summary>
/// Uploads are untrusted bytes: a mutation of a vendor's file is refused with a typed error and publishes nothing,
/// unless it is the same signed document (readers accept any whitespace, as TUF's do), which may publish once.
/// </summary>
public sealed class UploadFuzzTests : IDisposable
{
    private readonly RepositoryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_mutated_vendor_upload_is_refused_with_a_typed_error_and_nothing_is_published()
    {
        var valid = _fixture.VendorListing("sensor-filter", "1.2.0", [0, 0x61, 0x73, 0x6d]);
        var original = SignedMetadata<TargetsMetadata>.Parse(valid);
        var before = _fixture.Image.Published;
        var mutation = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, 2]);

        mutation.Sample((position, value, kind) =>
        {
            var bytes = kind switch
            {
                0 => Replace(valid, position, value),
                1 => valid[..position],
                _ => [.. valid[..position], value, .. valid[position..]],
            };
            if (bytes.AsSpan().SequenceEqual(valid)) return;
            try
            {
                _fixture.Image.AcceptDelegated("vendor-acme", bytes);
                Assert.Equal(original, SignedMetadata<TargetsMetadata>.Parse(bytes)); // only whitespace differed
                before = _fixture.Image.Published;
            }
            catch (ProblemException e) when (e is MetadataRefusedException)
            {
                Assert.Equal(before, _fixture.Image.Published);
            }
        }, iter: 2000, threads: 1); // one repository: its state is checked after each case
    }

    private static byte[] Replace(byte[] bytes, int position, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[position] = value;
        return copy;
    }
}
