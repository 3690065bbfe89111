#!/usr/bin/env bash
# Delta bench, one run: builds the version pairs, compiles the AoT kinds, measures bsdiff, xdelta3 -9,
# zstd -19 --patch-from and our codecs, and prints one markdown table.
# Usage: bench/delta/run.sh [WORKDIR] [pair...]      pairs: const func sqlite (default: all)
# Needs Debian: bsdiff xdelta3 zstd clang lld wasi-libc wabt time picolibc-arm-none-eabi, and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-/tmp/atym-bench-delta}"
shift || true
for tool in bsdiff bspatch xdelta3 zstd clang wasm2c npm /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (see the package list above)" >&2; exit 1; }
done
"$here/build-inputs.sh" "$work"
dotnet run -c Release --project "$here/AtymSecure.Bench.Delta.csproj" --artifacts-path /tmp/build-delta-bench -- "$work" "$@"
