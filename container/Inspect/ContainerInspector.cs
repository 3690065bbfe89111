using System.Globalization;
using System.Text;
using System.Text.Json;
using AtymSecure.Container.Artifact;
using AtymSecure.Formats.Container;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Container.Inspect;

/// <summary>
/// <c>atym inspect</c>: reads a container through <see cref="ContainerArtifactReader"/> (so inspecting also
/// verifies it) and renders a human summary or a JSON document with the same facts.
/// </summary>
public static class ContainerInspector
{
    /// <summary>Inspects <paramref name="reference"/> (tag or digest) in an OCI layout folder.</summary>
    public static async Task<ContainerArtifact> InspectLayoutAsync(string layoutDir, string reference, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(layoutDir)) throw new DirectoryNotFoundException($"no OCI layout at {layoutDir}");
        var store = await OciLayoutStore.OpenAsync(layoutDir, cancellationToken).ConfigureAwait(false);
        return await InspectAsync(store, reference, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<ContainerArtifact> InspectAsync(IReadOnlyTarget target, string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var descriptor = await target.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        return await ContainerArtifactReader.ReadAsync(target, descriptor, cancellationToken).ConfigureAwait(false);
    }

    public static string ToText(ContainerArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var c = artifact.Config;
        var s = new StringBuilder();
        void Line(string label, object? value) => s.Append(CultureInfo.InvariantCulture, $"{label,-14}{value}\n");
        Line("Container", $"{c.Name} {c.Version}" + (artifact.HasAtymConfig ? "" : "  (plain Wasm image: config derived)"));
        if (c.Description is not null) Line("Description", c.Description);
        Line("Manifest", $"{artifact.ManifestDescriptor.Digest} ({artifact.ManifestDescriptor.Size} bytes)");
        Line("Created", WasmArtifactConfig.FormatTime(artifact.WasmConfig.Created));
        Line("Module", $"{artifact.ModuleDescriptor.Digest} ({artifact.ModuleDescriptor.Size} bytes)");
        Line("Entrypoint", c.Entrypoint);
        Line("Permissions", c.Permissions.Count == 0 ? "(none)" : string.Join(", ", c.Permissions));
        Line("Imports", string.Join(", ", artifact.Module.FunctionImports.Select(i => $"{i.Module}.{i.Name}")));
        Line("Exports", string.Join(", ", artifact.Module.Exports.Select(e => e.Name)));
        var memory = artifact.Module.Memories.FirstOrDefault();
        Line("Memory", memory is null ? "(none)" : $"{memory.MinimumBytes} bytes initial, max {memory.MaximumBytes?.ToString(CultureInfo.InvariantCulture) ?? "unbounded"}; limit {c.Resources.MaxMemoryBytes}");
        Line("Resources", $"stack {c.Resources.MaxStackBytes} B, CPU {c.Resources.CpuBudgetMs} ms per call, slice every {c.Resources.SliceIntervalMs} ms");
        Line("Health", c.HealthCheck is { } h ? $"{h.Probe} every {h.IntervalMs} ms (timeout {h.TimeoutMs} ms), {h.PassesToConfirm} passes confirm" : "(none)");
        Line("Restart", $"{RestartPolicy.ModeName(c.Restart.Mode)}, max {c.Restart.MaxRetries} retries, backoff {c.Restart.BackoffInitialMs}..{c.Restart.BackoffMaxMs} ms x{c.Restart.BackoffMultiplierPercent / 100.0:0.##}");
        Line("Runtime", c.MinRuntimeVersion is null ? "any" : $">= {c.MinRuntimeVersion}");
        Line("Targets", c.Targets.Count == 0 ? "any device class" : string.Join(", ", c.Targets));
        foreach (var v in c.Variables) Line("Variable", $"{v.Key}={v.Value}");
        foreach (var b in c.Blobs) Line("Blob", $"{b.Name} {b.MediaType} {b.Digest} ({b.Size} bytes)");
        return s.ToString();
    }

    /// <summary>Machine-readable form: manifest digest, the container config (canonical JSON), module facts.</summary>
    public static string ToJson(ContainerArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("manifestDigest", artifact.ManifestDescriptor.Digest.ToString());
            w.WriteNumber("manifestSize", artifact.ManifestDescriptor.Size);
            w.WriteString("created", WasmArtifactConfig.FormatTime(artifact.WasmConfig.Created));
            w.WriteBoolean("atymConfig", artifact.HasAtymConfig);
            w.WritePropertyName("config");
            using (var doc = JsonDocument.Parse(ContainerConfigJson.Serialize(artifact.Config))) doc.WriteTo(w);
            w.WriteStartObject("module");
            w.WriteString("digest", artifact.ModuleDescriptor.Digest.ToString());
            w.WriteNumber("size", artifact.ModuleDescriptor.Size);
            w.WriteStartArray("imports");
            foreach (var i in artifact.Module.Imports) w.WriteStringValue($"{i.Module}.{i.Name}");
            w.WriteEndArray();
            w.WriteStartArray("exports");
            foreach (var e in artifact.Module.Exports) w.WriteStringValue(e.Name);
            w.WriteEndArray();
            if (artifact.Module.Memories.FirstOrDefault() is { } m)
            {
                w.WriteNumber("memoryMinBytes", m.MinimumBytes);
                if (m.MaximumBytes is { } max) w.WriteNumber("memoryMaxBytes", max);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
