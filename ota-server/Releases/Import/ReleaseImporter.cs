using AtymSecure.Container.Artifact;
using AtymSecure.Formats.Crypto;
using AtymSecure.Delivery.Bundles;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Oci;
using AtymSecure.Oci.Remote;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Policy;
using AtymSecure.OtaStore;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// Imports a container version as a release (issue 12 §3), in idempotent steps so that a job cut off anywhere and run
/// again repeats nothing committed:
/// <list type="number">
/// <item>resolve REF in the server's registry and verify its signatures against the trusted vendor keys
/// (<see cref="ContainerSignatureCheck"/>, as <c>atym bundle --trust</c>); everything after reads by that digest;</item>
/// <item>with policies (<see cref="OtaPolicyGate"/>), the serving trust policy decides on the signers and attestations that
/// verified (<see cref="ReleaseFacts"/>): a refusal names the rule, its file and line and the set's digest
/// (<see cref="PolicyRefusalCodes"/>), and the decision is in the audit log; an existing release is decided again;</item>
/// <item>a release of that digest exists already → return it (same REF twice = one release);</item>
/// <item>for every class in the fleet ∩ the container's targets: reuse an output a previous attempt attached and the
/// compiler key signed (<see cref="CompiledReferrerReuse.FindVerifiedAsync"/>), else compile and attach it with its
/// provenance, signed by the compiler key (<see cref="CompiledArtifactPublisher"/>, as <c>atym compile --key</c>); build
/// the slot image to record its digest. A class that does not compile is recorded as failed, the others stay usable;</item>
/// <item>record the release with its counter: the predecessor's (the container's highest), raised by one for a
/// security release, or an explicit one not below it (docs/trust-model.md §7);</item>
/// <item>with an image repository (the metadata library), list the compiled images in it
/// (<see cref="CompiledImagePublisher"/>) — also for a release recorded earlier, so a repeated import completes it.</item>
/// </list>
/// The registry down or answering 5xx throws <see cref="Jobs.TransientJobException"/> (the queue retries); every
/// other refusal is a <see cref="ProblemException"/> with a <see cref="ReleaseProblemCodes"/> code.
/// Counters are allocated in import order: the queue runs one import at a time.
/// </summary>
public sealed class ReleaseImporter
{
    private readonly IReleaseStore _releases;
    private readonly RegistryAccess _registry;
    private readonly ContainerSignatureCheck _vendorSignatures;
    private readonly IFleetDeviceClasses _fleet;
    private readonly ICompilerKeySource _compilerKey;
    private readonly IContainerCompiler _compiler;
    private readonly TimeProvider _time;
    private readonly TimeSpan _bundleLifetime;
    private readonly CompiledImagePublisher? _publisher;
    private readonly OtaPolicyGate? _policy;

    /// <summary>Who release imports are audited as (they run in the job queue, after the operator's request).</summary>
    public static readonly OperatorIdentity ImportJob = new("release-import", "release import job", OperatorRole.Admin, []);

    /// <param name="vendorKeys">Keys whose signature on a container allows importing it (config; trust policies come with issue 15).</param>
    /// <param name="compiler">Compiles when no verified output is attached (<see cref="HostAotCompiler"/>; tests count through it).</param>
    /// <param name="bundleLifetime">Expiry of the release's bundles, counted from the import.</param>
    /// <param name="publisher">Lists the compiled images in the image repository (none: the release is only recorded).</param>
    /// <param name="policy">The serving policy set (none: the vendor keys alone decide, as before policies).</param>
    public ReleaseImporter(IReleaseStore releases, RegistryAccess registry, TrustedKeys vendorKeys, IFleetDeviceClasses fleet,
        ICompilerKeySource compilerKey, TimeProvider time, TimeSpan bundleLifetime, IContainerCompiler? compiler = null,
        CompiledImagePublisher? publisher = null, OtaPolicyGate? policy = null)
    {
        _policy = policy;
        _publisher = publisher;
        _releases = releases ?? throw new ArgumentNullException(nameof(releases));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _vendorSignatures = new ContainerSignatureCheck(vendorKeys ?? throw new ArgumentNullException(nameof(vendorKeys)));
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _compilerKey = compilerKey ?? throw new ArgumentNullException(nameof(compilerKey));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bundleLifetime, TimeSpan.Zero);
        _bundleLifetime = bundleLifetime;
        _compiler = compiler ?? HostAotCompiler.Instance;
    }

    /// <param name="progress">Told each step, for the job's progress.</param>
    public async Task<Release> ImportAsync(ReleaseRequest request, Func<string, Task>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Validate() is { Count: > 0 } invalid) throw new ProblemException("release refused", invalid);
        progress ??= _ => Task.CompletedTask;
        var (repository, reference) = _registry.Open(request.Reference);
        var repositoryName = $"{repository.Registry}/{repository.Name}";
        var source = ContainerSource.In(repository, reference, repositoryName);

        await progress($"verifying {source}").ConfigureAwait(false);
        var verification = await RegistryFailures.Transient("verifying the container's signatures", () => VerifyAsync(source, ct), ct).ConfigureAwait(false);
        var manifest = verification.Subject;
        var existing = await _releases.GetAsync(Release.IdFor(manifest.Digest.ToString()), ct).ConfigureAwait(false);
        if (existing is not null && _policy is null)
        {
            await progress($"already released as {existing.Id}").ConfigureAwait(false);
            await PublishAsync(existing, progress).ConfigureAwait(false);
            return existing;
        }
        var stored = new StoredContainer(source.Store, await RegistryFailures.Transient("reading the container",
            () => ReadAsync(source.Store, manifest, ct), ct).ConfigureAwait(false));
        var config = stored.Artifact.Config;
        var facts = await DecideAsync(repositoryName, config, verification, progress).ConfigureAwait(false);
        if (existing is not null)
        {
            await progress($"already released as {existing.Id}").ConfigureAwait(false);
            await PublishAsync(existing, progress).ConfigureAwait(false);
            return existing;
        }
        var version = config.Version?.ToString()
            ?? throw Refused(ReleaseProblemCodes.ContainerInvalid, "$.reference", $"container {config.Name} has no version");
        var counter = await CounterAsync(request, config.Name.ToString(), ct).ConfigureAwait(false);
        var classes = await ClassesAsync(request, config.Targets, ct).ConfigureAwait(false);

        var importedAt = TruncateToSeconds(_time.GetUtcNow());
        var images = new List<ReleaseImage>();
        var failures = new List<ReleaseClassFailure>();
        for (var i = 0; i < classes.Count; i++)
        {
            var deviceClass = classes[i];
            await progress($"compiling {deviceClass.Name} ({i + 1}/{classes.Count})").ConfigureAwait(false);
            var key = await _compilerKey.GetAsync(deviceClass.Name, ct).ConfigureAwait(false);
            var reuse = new CompiledReferrerReuse(_compiler, TrustedKeys.Of(VerificationKey.FromDer(key.PublicKeySpki.Span)));
            try
            {
                images.Add(await RegistryFailures.Transient($"compiling for {deviceClass.Name}",
                    () => CompileAsync(stored, repository, repositoryName, deviceClass, reuse, key, importedAt, ct), ct).ConfigureAwait(false));
            }
            catch (AotCompilationException e)
            {
                var code = e is AotTargetNotSupportedException ? ReleaseProblemCodes.TargetNotSupported : ReleaseProblemCodes.CompileFailed;
                failures.Add(new ReleaseClassFailure(deviceClass.Name, code, e.Message));
                await progress($"{deviceClass.Name} failed: {e.Message}").ConfigureAwait(false);
            }
        }

        var release = new Release(Release.IdFor(manifest.Digest.ToString()), config.Name.ToString(), version, repositoryName,
            manifest.Digest.ToString(), stored.Artifact.ModuleDescriptor.Digest.ToString(), counter, request.Security || request.SecurityCounter is not null,
            importedAt, importedAt + _bundleLifetime, images, failures, facts);
        var recorded = await _releases.AddOrGetAsync(release, ct).ConfigureAwait(false);
        await PublishAsync(recorded, progress).ConfigureAwait(false);
        await progress($"released {recorded.Id}: {recorded.Container} {recorded.Version}, counter {recorded.SecurityCounter}, " +
            $"{recorded.Images.Count} classes compiled, {recorded.Failures.Count} failed").ConfigureAwait(false);
        return recorded;
    }

    private async Task PublishAsync(Release release, Func<string, Task> progress)
    {
        if (_publisher is null) return;
        foreach (var (deviceClass, reason) in _publisher.Publish(release))
            await progress($"{deviceClass} not listed in the image repository ({reason})").ConfigureAwait(false);
    }

    /// <summary>What verified (signers, attestations) and the config asks for, recorded always; with policies also the trust policy's
    /// decision on it (refused: the policy's problem).</summary>
    private async Task<ReleasePolicyFacts> DecideAsync(string repositoryName, Formats.Container.ContainerConfig config, ArtifactVerificationReport verification,
        Func<string, Task> progress)
    {
        var descriptor = ReleaseFacts.Describe(repositoryName, config, verification);
        if (_policy is null) return ReleaseFacts.ToStored(descriptor, null);
        var set = _policy.Serving();
        var decision = _policy.Decide(set, new DecisionRequest(descriptor), ImportJob, "policy.release-import", $"release/{Release.IdFor(verification.Subject.Digest.ToString())}");
        await progress(OtaPolicyGate.Describe(decision, "trust policy")).ConfigureAwait(false);
        if (!decision.Allowed) throw OtaPolicyGate.Refusal(decision, "$.reference", $"release refused: {repositoryName}@{verification.Subject.Digest}");
        return ReleaseFacts.ToStored(descriptor, decision);
    }

    private async Task<ArtifactVerificationReport> VerifyAsync(ContainerSource source, CancellationToken ct)
    {
        try
        {
            return await _vendorSignatures.VerifyReportAsync(source, ct).ConfigureAwait(false);
        }
        catch (UntrustedContainerException e)
        {
            throw Refused(ReleaseProblemCodes.ContainerUntrusted, "$.reference", e.Message);
        }
        catch (NotFoundException e)
        {
            throw Refused(ReleaseProblemCodes.ContainerNotFound, "$.reference", $"{source} is not in the registry ({e.Message})");
        }
    }

    private static async Task<ContainerArtifact> ReadAsync(ContainerStore store, Oci.Wire.Descriptor manifest, CancellationToken ct)
    {
        try
        {
            return await ContainerArtifactReader.ReadAsync(store, manifest, ct).ConfigureAwait(false);
        }
        catch (ContainerArtifactException e)
        {
            throw new ProblemException("release refused: not a valid container",
                [.. e.Problems.Select(p => p with { Code = ReleaseProblemCodes.ContainerInvalid, Message = $"{p.Code}: {p.Message}" })], e);
        }
    }

    /// <summary>The predecessor's counter (the container's highest), raised for a security release; 1 for a container's first release.</summary>
    private async Task<ulong> CounterAsync(ReleaseRequest request, string container, CancellationToken ct)
    {
        var earlier = await _releases.ListAsync(container, ct).ConfigureAwait(false);
        ulong? floor = earlier.Count == 0 ? null : earlier.Max(r => r.SecurityCounter);
        if (request.SecurityCounter is { } explicitCounter)
        {
            if (explicitCounter < (floor ?? 0))
                throw Refused(ReleaseProblemCodes.CounterBelowPredecessor, "$.securityCounter",
                    $"{explicitCounter} is below {container}'s counter {floor}: devices that confirmed it would refuse this release (counter-rollback)");
            return explicitCounter;
        }
        if (floor is not { } previous) return 1;
        if (!request.Security) return previous;
        if (previous >= uint.MaxValue)
            throw Refused(ReleaseProblemCodes.CounterTooLarge, "$.security", $"{container}'s counter is {previous}, devices keep 32 bits");
        return previous + 1;
    }

    private async Task<IReadOnlyList<DeviceClass>> ClassesAsync(ReleaseRequest request, IReadOnlyList<string> targets, CancellationToken ct)
    {
        var wanted = request.DeviceClasses is { } asked ? asked : await _fleet.ListAsync(ct).ConfigureAwait(false);
        var chosen = wanted.Distinct(StringComparer.Ordinal).Where(c => targets.Count == 0 || targets.Contains(c, StringComparer.Ordinal))
            .Select(c => DeviceClassTable.TryGet(c, out var dc) ? dc
                : throw Refused(ReleaseProblemCodes.UnknownDeviceClass, "$.deviceClasses", $"'{c}' is not a device class"))
            .ToList();
        if (chosen.Count == 0)
            throw Refused(ReleaseProblemCodes.NoDeviceClasses, request.DeviceClasses is null ? "$.reference" : "$.deviceClasses",
                $"no device class to compile for: the fleet has [{string.Join(", ", wanted)}], the container targets " +
                (targets.Count == 0 ? "any class" : $"[{string.Join(", ", targets)}]"));
        return chosen;
    }

    private static async Task<ReleaseImage> CompileAsync(StoredContainer stored, Repository repository, string repositoryName, DeviceClass deviceClass,
        CompiledReferrerReuse reuse, ISigningKey key, DateTimeOffset created, CancellationToken ct)
    {
        var manifest = stored.Artifact.ManifestDescriptor;
        CompiledArtifact artifact;
        Oci.Wire.Descriptor referrer;
        if (await reuse.FindVerifiedAsync(stored, deviceClass, ct).ConfigureAwait(false) is { } attached)
        {
            (artifact, referrer) = (attached.Artifact, attached.Referrer);
        }
        else
        {
            // The config's targets were checked when the classes were chosen; the compiler enforces them again.
            artifact = await reuse.CompileAsync(stored, deviceClass, ct).ConfigureAwait(false);
            referrer = (await CompiledArtifactPublisher.PublishAsync(repository, manifest, artifact, key, repositoryName, created, ct)
                .ConfigureAwait(false)).Manifest;
        }
        var image = await ContainerSlotImage.BuildAsync(stored, deviceClass, null, new Precompiled(artifact), ct).ConfigureAwait(false);
        return new ReleaseImage(deviceClass.Name, Digest.Compute(image.Bytes.Span).ToString(), (ulong)image.Bytes.Length, image.ArtifactKind,
            new EquatableList<string>(image.Grants.Select(g => g.ToString())), artifact.Digest, referrer.Digest.ToString());
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());

    private static ProblemException Refused(string code, string path, string message) =>
        new("release refused", new Problem(code, path, message));

    /// <summary>The output just compiled or reused, handed to the image builder without compiling again.</summary>
    private sealed class Precompiled(CompiledArtifact artifact) : IContainerCompiler
    {
        public Task<CompiledArtifact> CompileAsync(StoredContainer container, DeviceClass deviceClass, CancellationToken ct) => Task.FromResult(artifact);
    }
}
