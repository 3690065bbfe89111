using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>
/// docs/trust-model.md §3 step 13 and issue 11 §1, §5. Before key scopes every one of the refusals below was an
/// accepted bundle (one flat key list: any trusted key signed any container and any code kind).
/// </summary>
public class BundleSignerScopeTests
{
    private static readonly TestSigner Acme = TestSigner.Ecdsa();
    private static readonly TestSigner Beta = TestSigner.Ed25519();
    private static readonly TestSigner Ota = TestSigner.Ecdsa();
    private static readonly TestSigner Ops = TestSigner.Ecdsa();
    private static readonly TestSigner Stranger = TestSigner.Ecdsa();
    private static readonly byte[] Payload = TestBundles.Payload(2000);

    /// <summary>Acme's key for acme-*, Beta's for beta-*, the OTA server's compile key, and ops' recovery key.</summary>
    private static readonly BundleTrustAnchors Device = BundleTrustAnchors.Of(
        TrustedBundleKey.Vendor(Acme.Key, ContainerNamePattern.Parse("acme-*")),
        TrustedBundleKey.Vendor(Beta.Key, ContainerNamePattern.Parse("beta-*")),
        TrustedBundleKey.Compiler(Ota.Key),
        TrustedBundleKey.Recovery(Ops.Key));

    private static byte[] Bundle(string container, ArtifactKind kind, bool recovery, params TestSigner[] signers) =>
        TestBundles.Write(TestBundles.Header(Payload, tweak: h => h with { ContainerName = container, ArtifactKind = kind, Recovery = recovery }), Payload, signers);

    private static string? Refusal(byte[] bundle, BundleTrustAnchors? trusted = null)
    {
        try
        {
            Assert.Equal(Payload, TestBundles.ReadVerified(bundle, trusted ?? Device));
            return null;
        }
        catch (BundleVerificationException e)
        {
            return Assert.Single(e.Problems).Code;
        }
    }

    [Fact]
    public void A_vendor_signed_native_bundle_is_refused_and_a_compiler_signed_one_accepted()
    {
        Assert.Equal(ReasonCodes.NativeNotFromCompiler, Refusal(Bundle("acme-sensor", ArtifactKind.WasmtimeNative, false, Acme)));
        Assert.Equal(ReasonCodes.NativeNotFromCompiler, Refusal(Bundle("acme-sensor", ArtifactKind.WasmtimePulley, false, Acme)));
        Assert.Equal(ReasonCodes.NativeNotFromCompiler, Refusal(Bundle("acme-sensor", ArtifactKind.Wasm2cObject, false, Acme)));
        Assert.Null(Refusal(Bundle("acme-sensor", ArtifactKind.WasmtimeNative, false, Ota)));
        // A vendor signature next to the compiler's does no harm.
        Assert.Null(Refusal(Bundle("acme-sensor", ArtifactKind.Wasm2cObject, false, Acme, Ota)));
    }

    [Fact]
    public void Another_vendors_signature_is_out_of_scope_and_an_in_scope_one_is_accepted()
    {
        Assert.Equal(ReasonCodes.SignerOutOfScope, Refusal(Bundle("acme-sensor", ArtifactKind.Wasm, false, Beta)));
        Assert.Null(Refusal(Bundle("acme-sensor", ArtifactKind.Wasm, false, Acme)));
        Assert.Null(Refusal(Bundle("beta-logger", ArtifactKind.Wasm, false, Beta)));
        Assert.Null(Refusal(Bundle("beta-logger", ArtifactKind.Wasm, false, Ota)));
        // B's signature does not become A's by sitting next to a stranger's.
        Assert.Equal(ReasonCodes.SignerOutOfScope, Refusal(Bundle("acme-sensor", ArtifactKind.Wasm, false, Stranger, Beta)));
    }

    [Fact]
    public void No_verifying_trusted_key_stays_untrusted_signer() =>
        Assert.Equal(ReasonCodes.UntrustedSigner, Refusal(Bundle("acme-sensor", ArtifactKind.Wasm, false, Stranger)));

    [Fact]
    public void A_compiler_key_counts_only_within_its_pattern()
    {
        var scoped = BundleTrustAnchors.Of(TrustedBundleKey.Compiler(Ota.Key, ContainerNamePattern.Parse("acme-*")));
        Assert.Equal(ReasonCodes.SignerOutOfScope, Refusal(Bundle("beta-logger", ArtifactKind.WasmtimeNative, false, Ota), scoped));
        Assert.Equal(ReasonCodes.SignerOutOfScope, Refusal(Bundle("beta-logger", ArtifactKind.Wasm, false, Ota), scoped));
        Assert.Null(Refusal(Bundle("acme-x", ArtifactKind.WasmtimeNative, false, Ota), scoped));
    }

    [Fact]
    public void Recovery_keys_count_only_for_recovery_bundles_and_only_they_count_for_them()
    {
        Assert.Equal(ReasonCodes.SignerOutOfScope, Refusal(Bundle("acme-sensor", ArtifactKind.Wasm, false, Ops)));
        Assert.Equal(ReasonCodes.SignerOutOfScope, Refusal(Bundle("acme-sensor", ArtifactKind.Wasm, true, Ota)));
        Assert.Equal(ReasonCodes.SignerOutOfScope, Refusal(Bundle("acme-sensor", ArtifactKind.Wasm, true, Acme)));
        Assert.Null(Refusal(Bundle("acme-sensor", ArtifactKind.Wasm, true, Ops)));
    }

    [Fact]
    public void A_native_recovery_bundle_needs_the_compiler_as_well()
    {
        Assert.Equal(ReasonCodes.NativeNotFromCompiler, Refusal(Bundle("acme-sensor", ArtifactKind.WasmtimeNative, true, Ops)));
        Assert.Equal(ReasonCodes.NativeNotFromCompiler, Refusal(Bundle("acme-sensor", ArtifactKind.WasmtimeNative, true, Ops, Acme)));
        Assert.Null(Refusal(Bundle("acme-sensor", ArtifactKind.WasmtimeNative, true, Ops, Ota)));
    }

    [Fact]
    public void The_verified_bundle_names_the_key_and_scope_that_vouched_for_it()
    {
        using var stream = new MemoryStream(Bundle("acme-sensor", ArtifactKind.Wasm, false, Stranger, Acme));
        var verified = BundleVerifier.Verify(BundleEnvelope.Read(stream), Device, TestBundles.Expect());
        Assert.Equal(TrustedBundleKey.Vendor(Acme.Key, ContainerNamePattern.Parse("acme-*")), verified.Signer);
        Assert.Equal(Acme.Key.KeyId, verified.SignerKeyId);
    }

    [Fact]
    public void One_key_has_one_role_and_one_pattern()
    {
        var e = Assert.Throws<ProblemException>(() => BundleTrustAnchors.Of(TrustedBundleKey.Vendor(Acme.Key, ContainerNamePattern.Any), TrustedBundleKey.Compiler(Acme.Key)));
        Assert.Equal((TrustAnchorProblemCodes.DuplicateKey, "keys[1]"), (Assert.Single(e.Problems).Code, e.Problems[0].Path));
    }

    [Fact]
    public void Scoped_keys_are_made_from_text_with_every_problem_named()
    {
        Assert.True(TrustedBundleKey.TryCreate("compiler", Ota.Key, null, "t", out var compiler, out _));
        Assert.Equal(ContainerNamePattern.Any, compiler.Pattern);
        Assert.False(TrustedBundleKey.TryCreate("vendor", Acme.Key, null, "t", out _, out var noPattern));
        Assert.Equal(TrustAnchorProblemCodes.PatternRequired, Assert.Single(noPattern).Code);
        Assert.False(TrustedBundleKey.TryCreate("owner", Acme.Key, "Bad/", "t", out _, out var two));
        Assert.Equal([TrustAnchorProblemCodes.InvalidRole, TrustAnchorProblemCodes.InvalidPattern], two.Select(p => p.Code));
    }

    [Fact]
    public void Trusted_keys_and_anchors_compare_by_value()
    {
        var again = Acme.Key.ToPem();
        var a = TrustedBundleKey.Vendor(AtymSecure.Formats.Crypto.VerificationKey.FromPem(again), ContainerNamePattern.Parse("acme-*"));
        Assert.Equal(TrustedBundleKey.Vendor(Acme.Key, ContainerNamePattern.Parse("acme-*")), a);
        Assert.NotEqual(TrustedBundleKey.Vendor(Acme.Key, ContainerNamePattern.Parse("acme-?")), a);
        Assert.NotEqual(TrustedBundleKey.Compiler(Acme.Key, ContainerNamePattern.Parse("acme-*")), a);
        Assert.Equal(BundleTrustAnchors.Of(a, TrustedBundleKey.Compiler(Ota.Key)), BundleTrustAnchors.Of(TrustedBundleKey.Vendor(Acme.Key, ContainerNamePattern.Parse("acme-*")), TrustedBundleKey.Compiler(Ota.Key)));
    }
}
