using AtymSecure.Oci.Content;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Wire;
using CsCheck;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.Oci.Tests.Content;

public sealed class StreamAndNamePropertyTests
{
    [Fact]
    public void Verifying_stream_passes_exact_content_and_catches_any_flipped_byte()
    {
        Gen.Select(Gen.Byte.Array[1, 2000], Gen.Int[1, 300], Gen.Int[0, 1999], Gen.Bool).Sample((content, readSize, flipAt, sha512) =>
        {
            var d = Descriptor.FromBytes("a/b", content) with { Digest = Digest.Compute(content, sha512 ? "sha512" : "sha256") };
            Assert.Equal(content, ReadAll(new VerifyingStream(new MemoryStream(content), d), readSize));
            var tampered = (byte[])content.Clone();
            tampered[flipAt % tampered.Length] ^= 0x5a;
            Assert.Throws<DigestMismatchException>(() => ReadAll(new VerifyingStream(new MemoryStream(tampered), d), readSize));
            Assert.Throws<SizeMismatchException>(() => ReadAll(new VerifyingStream(new MemoryStream(content[..^1]), d), readSize));
        }, iter: 500);
    }

    private static byte[] ReadAll(Stream s, int readSize)
    {
        using (s)
        {
            var output = new MemoryStream();
            var buffer = new byte[readSize];
            int n;
            while ((n = s.Read(buffer, 0, buffer.Length)) > 0) output.Write(buffer, 0, n);
            return output.ToArray();
        }
    }

    [Fact]
    public void Safe_names_never_resolve_outside_the_output_folder()
    {
        using var root = TempFolder.Create("oci-test");
        Gen.Char["a./\\:~\u0000\n"].Array[0, 24].Select(a => new string(a)).Sample(title =>
        {
            try
            {
                var full = SafeFileNames.Resolve(root.Path, title);
                Assert.StartsWith(root.Path + Path.DirectorySeparatorChar, full, StringComparison.Ordinal);
                Assert.Null(SafeFileNames.Problem(title));
            }
            catch (UnsafeFileNameException)
            {
                Assert.NotNull(SafeFileNames.Problem(title) ?? "resolved outside");
            }
        }, iter: 5000);
    }
}
