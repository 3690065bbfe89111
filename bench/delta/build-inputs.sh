#!/usr/bin/env bash
# Builds the version pairs the delta bench compares (wasm + wasm2c Cortex-M4 objects).
# AoT artifacts (x86_64 / pulley64 cwasm) are compiled by the .NET bench itself with Wasmtime.
# Usage: build-inputs.sh WORKDIR        (idempotent: skips outputs that already exist)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:?usage: build-inputs.sh WORKDIR}"
mkdir -p "$work/pairs" "$work/npm"

need() { command -v "$1" >/dev/null || { echo "missing tool: $1 (install Debian package $2)" >&2; exit 1; }; }
need clang clang; need wasm2c wabt; need npm npm

wasm_cc=(clang --target=wasm32-wasi -O2 -s)
m4_cc=(clang --target=thumbv7em-none-eabi -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os
       -I/usr/src/wasm2c -isystem /usr/lib/picolibc/arm-none-eabi/include -c)

build_wasm() { # out.wasm args...
  local out="$1"; shift
  [ -s "$out" ] || { "${wasm_cc[@]}" -o "$out.tmp" "$@" && mv "$out.tmp" "$out"; }
}

build_m4() { # in.wasm out.o   (wasm2c C, then clang for Cortex-M4; skipped if picolibc is absent)
  local in="$1" out="$2" name
  [ -s "$out" ] && return 0
  [ -d /usr/lib/picolibc/arm-none-eabi/include ] || { echo "skip $out: picolibc-arm-none-eabi not installed" >&2; return 0; }
  name="$(basename "$in" .wasm | tr -c 'a-zA-Z0-9\n' '_')"
  wasm2c "$in" -n "$name" -o "$out.c"
  "${m4_cc[@]}" -o "$out.tmp" "$out.c" && mv "$out.tmp" "$out" && rm -f "$out.c" "${out%.c}.h" "$out.h"
}

# Pair "const": one constant changed.  Pair "func": crc32 rewritten table-driven.
build_wasm "$work/pairs/const.old.wasm" "$here/src/app.c"
build_wasm "$work/pairs/const.new.wasm" -DFILTER_ALPHA=4 "$here/src/app.c"
build_wasm "$work/pairs/func.old.wasm" "$here/src/app.c"
build_wasm "$work/pairs/func.new.wasm" -DCRC_TABLE "$here/src/app.c"

# Pair "sqlite": SQLite 3.50.4 (better-sqlite3 12.4.1) -> 3.51.0 (better-sqlite3 12.4.6).
sqlite_flags=(-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL -DSQLITE_OMIT_SHARED_CACHE
              -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -DSQLITE_OMIT_RANDOMNESS -lwasi-emulated-mman -lwasi-emulated-getpid)
for pv in old:12.4.1 new:12.4.6; do
  side="${pv%%:*}"; ver="${pv#*:}"
  src="$work/npm/$ver"
  if [ ! -s "$src/package/deps/sqlite3/sqlite3.c" ]; then
    mkdir -p "$src"
    (cd "$src" && npm pack "better-sqlite3@$ver" --silent >/dev/null && tar -xzf "better-sqlite3-$ver.tgz" package/deps/sqlite3)
  fi
  build_wasm "$work/pairs/sqlite.$side.wasm" "${sqlite_flags[@]}" -I"$src/package/deps/sqlite3" \
    "$here/src/sqlite_main.c" "$src/package/deps/sqlite3/sqlite3.c"
done

for f in "$work"/pairs/*.wasm; do build_m4 "$f" "${f%.wasm}.m4.o"; done
ls -l "$work/pairs"
