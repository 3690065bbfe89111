#!/usr/bin/env bash
# Rebuilds the sample containers' Wasm modules (and the anomaly model) with Debian's clang, lld and wasi-libc.
# Usage: samples/build.sh [OUT_DIR]   (default: in place; the tests build into a temp dir and compare bytes)
# Reproducible: fixed flags, paths mapped to ".", stripped, compile and link run separately so clang never
# runs a wasm-opt that happens to be on PATH (clang-14 does that when -O is given at link time).
# Needs: clang (14), lld, wasi-libc, libclang-rt-14-dev-wasm32.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
out="$(mkdir -p "$out" && cd "$out" && pwd)"
CC="${CC:-clang}"
command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

cflags=(--target=wasm32-wasi -O2 -std=c11 -Wall -Wextra -Werror
        -ffile-prefix-map="$here"=. -fno-ident -I"$here/include")
# 2 pages of linear memory, fixed (matches resources.maxMemoryBytes = 131072 in each atym.yaml).
ldflags=(--target=wasm32-wasi -mexec-model=reactor -s -Wl,-z,stack-size=16384
         -Wl,--initial-memory=131072 -Wl,--max-memory=131072)

build() { # build OUTPUT SOURCE [DEFINES...]
  local output="$1" source="$2"; shift 2
  local obj="$tmp/$(basename "$output" .wasm)-$RANDOM.o"
  (cd "$here" && "$CC" "${cflags[@]}" "$@" -c "$source" -o "$obj")
  mkdir -p "$(dirname "$out/$output")"
  "$CC" "${ldflags[@]}" "$obj" -o "$out/$output.tmp"
  mv "$out/$output.tmp" "$out/$output"
  echo "built $output ($(stat -c %s "$out/$output") bytes)"
}

build sensor-filter/sensor-filter.wasm         sensor-filter/filter.c
build sensor-filter-v1.1.0/sensor-filter.wasm  sensor-filter/filter.c -DFILTER_V2
build sensor-filter-bad/sensor-filter.wasm     sensor-filter/filter.c -DFILTER_V2 -DBAD_UPDATE
build anomaly-detector/anomaly-detector.wasm   anomaly-detector/detector.c
build faulty/faulty.wasm                       faulty/faulty.c
mkdir -p "$out/anomaly-detector"
python3 "$here/anomaly-detector/make-model.py" "$out/anomaly-detector/model.bin"
echo "built anomaly-detector/model.bin"
