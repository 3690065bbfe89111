using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;
using AtymSecure.Primitives;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Loading;

/// <summary>Reads a <c>kind: Release</c> or <c>kind: Device</c> file (the inputs of <c>atym policy explain</c>); a file with problems, or of another kind, is refused with all of them.</summary>
public static class DescriptorFile
{
    public static ReleaseDescriptor ReadRelease(string path) => Read(path, PolicyKinds.Release).Release!;

    public static DeviceDescriptor ReadDevice(string path) => Read(path, PolicyKinds.DeviceDescriptor).DeviceDescriptor!;

    private static PolicyDocument Read(string path, string kind)
    {
        var problems = new List<Problem>();
        var at = new SourcePosition(path, 1, 1);
        if (!File.Exists(path)) throw new ProblemException($"{kind} file", new Problem(Required, "$", $"{path} does not exist", at));
        var length = new FileInfo(path).Length;
        if (length > Yaml.PolicyLimits.MaxFileBytes)
            throw new ProblemException($"{kind} file", new Problem(FileTooLarge, "$", $"{length} bytes, at most {Yaml.PolicyLimits.MaxFileBytes}", at));
        var document = PolicyDocumentReader.Read(path, File.ReadAllBytes(path), problems);
        if (document is not null && document.Kind != kind)
            problems.Add(new Problem(UnknownKind, "$.kind", $"expected kind {kind}, found {document.Kind}", at));
        return problems.Count > 0 ? throw new ProblemException($"invalid {kind} file", problems) : document!;
    }
}
