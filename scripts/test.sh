#!/usr/bin/env bash
# The whole test suite: installs what tests need, builds, runs every test project, prints totals.
# Usage: scripts/test.sh [extra dotnet test args, e.g. --filter ...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/test-deps.sh

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

dotnet build AtymSecure.sln -c Release -nologo -v q -clp:ErrorsOnly
set +e
# --blame: if a test host crashes, its sequence file names the test that was running (artifacts/test-results/**/Sequence*.xml).
dotnet test AtymSecure.sln -c Release --no-build -nologo --filter "FullyQualifiedName!~AtymSecure.Runtime.Tests&FullyQualifiedName!~AtymSecure.DeviceAgent.Tests" \
  --blame --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

# The runtime and device-agent tests run as their own invocations: they start real container threads (one
# test class at a time, see TestAssemblySettings.cs), and a hang there is cut after 90 s and fails the run
# instead of stalling the whole run. They run once: a failure or hang is a bug to fix, not to retry.
for project in Runtime DeviceAgent; do
  dotnet test "tests/AtymSecure.$project.Tests" -c Release --no-build -nologo --blame-hang --blame-hang-timeout 90s \
    --blame-hang-dump-type none --logger "trx" --logger "console;verbosity=normal" --results-directory "$results/$project" "$@"
  project_status=$?
  [ $project_status -ne 0 ] && status=$project_status
done
set -e

# One closing line over all projects, from the trx files.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
p = f = s = 0
failures = []
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    root = ET.parse(path).getroot()
    summary = root.find("t:ResultSummary", ns)
    c = summary.find("t:Counters", ns) if summary is not None else None
    if c is None: continue
    p += int(c.get("passed", 0)); failed = int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
    # A crashed test host leaves a "Failed" run with no failed test: count it, or the line would say 0 failed.
    if summary.get("outcome") in ("Failed", "Aborted", "Error") and failed == 0:
        failed = 1
        print(f"test run aborted (test host crashed or hung): {path}")
    f += failed
    # Name each failed test with its message's first lines: CI keeps only the tail of the output.
    for r in root.iter("{%s}UnitTestResult" % ns["t"]):
        if r.get("outcome") in ("Failed", "Error", "Timeout"):
            message = r.find(".//t:Message", ns)
            text = " | ".join((message.text or "").strip().splitlines()[:4]) if message is not None else ""
            failures.append(f"FAILED {r.get('testName')}: {text[:700]}")
for line in failures: print(line)
print(f"Tests: {p} passed, {f} failed, {s} skipped")
PY
exit $status
