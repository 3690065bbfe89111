#!/usr/bin/env bash
# Registry benchmark: our registry vs Debian's distribution (docker-registry 2.8.2), each as a
# process on 127.0.0.1 with its data on the same disk, driven by the same .NET client.
# Usage: bench/registry/run.sh [--small]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v docker-registry >/dev/null || { echo "docker-registry is not installed (apt-get install docker-registry)"; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build cli -c Release -nologo -v q -clp:ErrorsOnly -o "$work/atym"
dotnet build bench/registry -c Release -nologo -v q -clp:ErrorsOnly -o "$work/bench"

ours=127.0.0.1:5301; peer=127.0.0.1:5302
dotnet "$work/atym/atym.dll" registry serve --listen $ours --data "$work/ours" > "$work/ours.log" 2>&1 &
cat > "$work/peer.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $work/peer}
  delete: {enabled: true}
http: {addr: $peer}
YML
docker-registry serve "$work/peer.yml" > "$work/peer.log" 2>&1 &
for url in http://$ours/v2/ http://$peer/v2/; do
  for _ in $(seq 100); do curl -sf "$url" >/dev/null && break; sleep 0.2; done
done
echo "distribution: $(docker-registry --version 2>/dev/null || echo unknown)"
dotnet "$work/bench/AtymSecure.Bench.Registry.dll" $ours $peer "$@"
