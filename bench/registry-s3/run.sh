#!/usr/bin/env bash
# Registry push/pull with blobs in a Ceph RADOS Gateway (--blobs s3://…) vs the local folder (issue 17 §3 bench).
# Needs the Debian packages radosgw ceph-mon ceph-osd (scripts/test-deps.sh installs them).
# Usage: bench/registry-s3/run.sh [--small] [--repeat N]
#   ARTIFACTS=/tmp/build-x  build output folder (default /tmp/build-regperf-s3)
set -euo pipefail
cd "$(dirname "$0")/../.."
artifacts=${ARTIFACTS:-/tmp/build-regperf-s3}
dotnet build cli -c Release -nologo -v q -clp:ErrorsOnly --artifacts-path "$artifacts"
dotnet build bench/registry -c Release -nologo -v q -clp:ErrorsOnly --artifacts-path "$artifacts"
dotnet build bench/registry-s3 -c Release -nologo -v q -clp:ErrorsOnly --artifacts-path "$artifacts"
dotnet "$artifacts/bin/AtymSecure.Bench.RegistryS3/release/AtymSecure.Bench.RegistryS3.dll" \
  "$artifacts/bin/AtymSecure.Cli/release/atym.dll" "$artifacts/bin/AtymSecure.Bench.Registry/release/AtymSecure.Bench.Registry.dll" "$@"
