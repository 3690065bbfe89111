#!/usr/bin/env bash
# Registry benchmark: our registry vs Debian's distribution (docker-registry 2.8.2), each as a
# process on 127.0.0.1 with its data on the same disk, driven by the same .NET client.
# Three servers run side by side in the same run: ours (default options: fsync on), ours with
# `fsync: false` (distribution's durability level) and distribution, so ratios come from one run.
# Usage: bench/registry/run.sh [--small] [--repeat N]
#   ARTIFACTS=/tmp/build-x  build output folder (default /tmp/build-regperf; keeps concurrent builds apart)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v docker-registry >/dev/null || { echo "docker-registry is not installed (apt-get install docker-registry)"; exit 1; }
artifacts=${ARTIFACTS:-/tmp/build-regperf}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build cli -c Release -nologo -v q -clp:ErrorsOnly --artifacts-path "$artifacts"
dotnet build bench/registry -c Release -nologo -v q -clp:ErrorsOnly --artifacts-path "$artifacts"
atym=$artifacts/bin/AtymSecure.Cli/release/atym.dll
bench=$artifacts/bin/AtymSecure.Bench.Registry/release/AtymSecure.Bench.Registry.dll

ours=127.0.0.1:5301; peer=127.0.0.1:5302; ours_nofsync=127.0.0.1:5303
dotnet "$atym" registry serve --listen $ours --data "$work/ours" > "$work/ours.log" 2>&1 &
ours_pid=$!
printf 'fsync: false\n' > "$work/nofsync.yml"
dotnet "$atym" registry serve --listen $ours_nofsync --data "$work/ours-nofsync" --config "$work/nofsync.yml" > "$work/ours-nofsync.log" 2>&1 &
nofsync_pid=$!
cat > "$work/peer.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $work/peer}
  delete: {enabled: true}
http: {addr: $peer}
YML
docker-registry serve "$work/peer.yml" > "$work/peer.log" 2>&1 &
peer_pid=$!
for url in http://$ours/v2/ http://$ours_nofsync/v2/ http://$peer/v2/; do
  for _ in $(seq 100); do curl -sf "$url" >/dev/null && break; sleep 0.2; done
  curl -sf "$url" >/dev/null || { echo "$url did not come up"; cat "$work"/*.log; exit 1; }
done
echo "distribution: $(docker-registry --version 2>/dev/null || echo unknown)"
dotnet "$bench" ours=$ours@$ours_pid ours-nofsync=$ours_nofsync@$nofsync_pid distribution=$peer@$peer_pid "$@"
