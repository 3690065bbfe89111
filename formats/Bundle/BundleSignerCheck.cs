using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// docs/trust-model.md §3 step 13: which trusted key vouches for a bundle. A signature counts only when it verifies
/// under a trusted key (the key id is a hint) and that key's scope covers the bundle:
/// <list type="bullet">
/// <item>its pattern covers the header's ContainerName;</item>
/// <item>native code (ArtifactKind 2, 3, 4: loading it trusts the compiler that produced it) needs a compiler key;
///   Wasm (1) a vendor or a compiler key;</item>
/// <item>a recovery bundle needs a recovery key, and recovery keys count for nothing else. A recovery bundle of native
///   code needs a compiler key in scope as well: the recovery key says "leave recovery", only the compiler vouches for
///   machine code (docs/trust-model.md §11).</item>
/// </list>
/// Refusals: <c>untrusted-signer</c> when no signature verifies under any trusted key, <c>native-not-from-compiler</c>
/// when native code verifies only under vendor or recovery keys, <c>signer-out-of-scope</c> for every other key whose
/// pattern or role does not cover the bundle.
/// </summary>
public static class BundleSignerCheck
{
    /// <summary>Native code: only a compiler may sign it (docs/trust-model.md §1).</summary>
    public static bool IsNative(ArtifactKind kind) => kind is ArtifactKind.WasmtimeNative or ArtifactKind.WasmtimePulley or ArtifactKind.Wasm2cObject;

    /// <summary>The key that vouches for the bundle, or the one problem why none does.</summary>
    public static (TrustedBundleKey? Signer, Problem? Problem) Check(BundleEnvelope envelope, BundleTrustAnchors anchors)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(anchors);
        var verifying = VerifyingKeys(envelope, anchors);
        var h = envelope.Header;
        if (verifying.Count == 0)
            return (null, new Problem(ReasonCodes.UntrustedSigner, "signatures", "no signature on the bundle verifies under a trusted key"));

        var inScope = verifying.Where(k => k.Covers(h.ContainerName)).ToList();
        var compiler = inScope.FirstOrDefault(k => k.Role == BundleKeyRole.Compiler);
        var native = IsNative(h.ArtifactKind);
        if (h.Recovery)
        {
            var recovery = inScope.FirstOrDefault(k => k.Role == BundleKeyRole.Recovery);
            if (recovery is null)
                return (null, OutOfScope(h, verifying, "a recovery bundle counts only under a recovery key whose pattern covers the container"));
            if (native && compiler is null)
                return (null, NativeProblem(h, verifying, "a recovery bundle of native code needs a compiler key's signature as well"));
            return (recovery, null);
        }
        if (native)
        {
            if (compiler is not null) return (compiler, null);
            return verifying.Any(k => k.Role == BundleKeyRole.Compiler)
                ? (null, OutOfScope(h, verifying, "the compiler key's pattern does not cover the container"))
                : (null, NativeProblem(h, verifying, "native code counts only under a compiler key"));
        }
        var wasmSigner = inScope.FirstOrDefault(k => k.Role is BundleKeyRole.Vendor or BundleKeyRole.Compiler);
        return wasmSigner is not null
            ? (wasmSigner, null)
            : (null, OutOfScope(h, verifying, "a Wasm bundle counts only under a vendor or compiler key whose pattern covers the container (recovery keys sign recovery bundles only)"));
    }

    /// <summary>Every trusted key under which some signature of the bundle verifies, in trust order, each once.</summary>
    private static List<TrustedBundleKey> VerifyingKeys(BundleEnvelope envelope, BundleTrustAnchors anchors)
    {
        var input = BundleLayout.SignatureInput(envelope.SignedPrefix);
        var found = new List<TrustedBundleKey>();
        foreach (var signature in envelope.Signatures)
        {
            // The key id is only a hint: try it first, but a signature counts only if it verifies under a trusted key.
            foreach (var key in anchors.Keys.Where(k => k.Key.Algorithm == signature.Algorithm).OrderByDescending(k => k.Key.KeyId == signature.KeyId))
            {
                if (found.Contains(key) || !key.Key.Verify(input, signature.Signature)) continue;
                found.Add(key);
                break;
            }
        }
        return found;
    }

    private static Problem OutOfScope(BundleHeader h, List<TrustedBundleKey> verifying, string rule) =>
        new(ReasonCodes.SignerOutOfScope, "signatures", $"'{h.ContainerName}' ({KindText(h)}) is signed only by {Describe(verifying)}; {rule}");

    private static Problem NativeProblem(BundleHeader h, List<TrustedBundleKey> verifying, string rule) =>
        new(ReasonCodes.NativeNotFromCompiler, "signatures", $"'{h.ContainerName}' carries native code ({h.ArtifactKind}) signed only by {Describe(verifying)}; {rule}");

    private static string KindText(BundleHeader h) => (h.Recovery ? "recovery bundle, " : "") + (IsNative(h.ArtifactKind) ? $"native {h.ArtifactKind}" : "Wasm");

    private static string Describe(List<TrustedBundleKey> keys) => string.Join(", ", keys.Select(k => k.ToString()));
}
