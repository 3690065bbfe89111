using System.Text;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Oci.Wire;
using CsCheck;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Tests.Wire;

/// <summary>Round-trips and "never throws anything but the typed exception" for every parser of untrusted text.</summary>
public sealed class ParsingPropertyTests
{
    private static readonly Gen<string> Component = Gen.Char["abcz0189"].Array[1, 6].Select(a => new string(a));
    private static readonly Gen<string> Separator = Gen.OneOf<string>(".", "_", "__", "-", "--");
    private static readonly Gen<string> PathPart = Gen.Select(Component, Separator, Component, Gen.Bool, (a, s, b, two) => two ? a + s + b : a);
    private static readonly Gen<string> RepoName = PathPart.Array[1, 4].Select(p => string.Join('/', p));
    private static readonly Gen<string> TagGen = Gen.Select(Gen.Char["aZ09_"], Gen.Char["aZ09_.-"].Array[0, 40], (f, r) => f + new string(r));
    private static readonly Gen<string> HostGen = Gen.Select(Gen.OneOf<string>("localhost", "registry.example.com", "127.0.0.1", "[::1]", "a-b.c"),
        Gen.Int[0, 65535], Gen.Bool, (h, p, withPort) => withPort ? $"{h}:{p}" : h);
    private static readonly Gen<Digest> DigestGen = Gen.Select(Gen.Byte.Array[0, 64], Gen.Bool, (b, big) => Digest.Compute(b, big ? "sha512" : "sha256"));

    [Fact]
    public void Reference_parse_of_ToString_round_trips()
    {
        Gen.Select(HostGen, RepoName, TagGen, DigestGen, Gen.Int[0, 3], (h, r, t, d, mode) => new Reference
        {
            Registry = h, Repository = r, Tag = mode is 1 or 3 ? t : null, Digest = mode is 2 or 3 ? d : null,
        }).Sample(reference => Assert.Equal(reference, Reference.Parse(reference.ToString())), iter: 2000);
    }

    [Fact]
    public void Reference_parse_of_random_text_throws_only_InvalidReferenceException()
    {
        var noise = Gen.Char["aA0:/@._-+ \u00e9\u0000%"].Array[0, 80].Select(a => new string(a));
        noise.Sample(text =>
        {
            try
            {
                var r = Reference.Parse(text);
                Assert.True(Reference.IsValidRepository(r.Repository));
            }
            catch (InvalidReferenceException)
            {
            }
        }, iter: 5000);
    }

    [Theory]
    [InlineData("repo")]
    [InlineData("localhost:5000/UPPER")]
    [InlineData("localhost:5000/a/../b")]
    [InlineData("localhost:5000/a:tag with space")]
    [InlineData("localhost:5000/a@sha256:abc")]
    [InlineData("localhost:5000/a@md5")]
    [InlineData("bad_host!/a")]
    [InlineData("localhost:5000/a//b")]
    [InlineData("localhost:5000/-a")]
    public void Bad_references_are_refused_with_a_reason(string text)
    {
        var e = Assert.Throws<InvalidReferenceException>(() => Reference.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_repository_name_is_refused() =>
        Assert.Throws<InvalidReferenceException>(() => Reference.Parse("localhost/" + new string('a', 300)));

    [Fact]
    public void Manifest_parser_fuzz_throws_only_InvalidManifestException()
    {
        var seed = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"a/b","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"a/b","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"annotations":{"k":"v"}}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}}""");
        var mutations = Gen.Select(Gen.Int[0, seed.Length - 1], Gen.Byte, Gen.Int[0, 2]).Array[1, 8];
        var types = Gen.OneOf<string>(MediaTypes.ImageManifest, MediaTypes.ImageIndex, MediaTypes.DockerManifest);
        Gen.Select(mutations, types).Sample((muts, type) =>
        {
            var bytes = seed.ToList();
            foreach (var (pos, value, op) in muts)
            {
                var p = Math.Min(pos, bytes.Count - 1);
                if (p < 0) break;
                if (op == 0) bytes[p] = value; else if (op == 1) bytes.RemoveAt(p); else bytes.Insert(p, value);
            }
            var content = bytes.ToArray();
            var d = Descriptor.FromBytes(type, content);
            try
            {
                var node = ManifestNode.Parse(d, content);
                Assert.NotNull(node.Children);
            }
            catch (InvalidManifestException)
            {
            }
        }, iter: 5000);
        Gen.Byte.Array[0, 300].Sample(random =>
        {
            try { ManifestNode.Parse(Descriptor.FromBytes(MediaTypes.ImageManifest, random), random); }
            catch (InvalidManifestException) { }
        }, iter: 2000);
    }

    [Fact]
    public void Deeply_nested_and_oversized_manifests_are_refused()
    {
        var deep = Encoding.UTF8.GetBytes("{\"annotations\":" + new string('[', 200) + new string(']', 200) + "}");
        Assert.Throws<InvalidManifestException>(() => ManifestNode.Parse(Descriptor.FromBytes(MediaTypes.ImageManifest, deep), deep));
        var big = new byte[OciJson.MaxManifestBytes + 1];
        Assert.Throws<InvalidManifestException>(() => ManifestNode.Parse(Descriptor.FromBytes(MediaTypes.ImageManifest, big), big));
    }

    [Fact]
    public void Auth_challenge_and_error_body_parsers_never_throw()
    {
        Gen.Char["Bearer realm=\"\\,scope service a:b/ \t"].Array[0, 120].Select(a => new string(a)).Sample(text =>
        {
            var c = AuthChallenge.TryParse(text);
            if (c is not null) Assert.NotNull(c.Scopes);
        }, iter: 5000);
        Gen.Char["{}[]\":,errors code message detail 1"].Array[0, 120].Select(a => Encoding.UTF8.GetBytes(new string(a))).Sample(body =>
        {
            var e = AtymSecure.Oci.Remote.ResponseErrorsProbe.Parse(body);
            Assert.All(e, x => Assert.NotNull(x.Code));
        }, iter: 5000);
    }

    [Fact]
    public void Retry_delay_never_undercuts_Retry_After_and_never_exceeds_the_cap()
    {
        Gen.Select(Gen.Int[1, 20], Gen.Double[0, 0.999], Gen.Int[0, 200]).Sample((failures, jitter, after) =>
        {
            var policy = new AtymSecure.Oci.Remote.RetryPolicy { MaxAttempts = 50, NextJitter = () => jitter, MaxRetryAfter = TimeSpan.FromSeconds(100) };
            var wait = policy.NextDelay(failures, new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(after)), DateTimeOffset.UtcNow);
            if (after > 100) Assert.Null(wait);
            else
            {
                Assert.NotNull(wait);
                Assert.True(wait >= TimeSpan.FromSeconds(after));
                Assert.True(wait <= TimeSpan.FromSeconds(Math.Max(after, 30)));
            }
        }, iter: 2000);
    }
}
