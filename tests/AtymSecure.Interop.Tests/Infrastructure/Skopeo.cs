using AtymSecure.TestSupport;

namespace AtymSecure.Interop.Tests.Infrastructure;

/// <summary>Debian's skopeo as the interop tests run it: no signature policy (<c>--insecure-policy</c>), two minutes per call.</summary>
public static class Skopeo
{
    public static Task<ToolResult> RunAsync(params string[] args) =>
        ExternalTool.RunAsync("skopeo", ["--insecure-policy", .. args], TimeSpan.FromMinutes(2), installHint: "install the Debian package 'skopeo' (scripts/test-deps.sh does)");
}
