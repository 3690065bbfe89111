#!/usr/bin/env bash
# Installs what the test suite needs, skipping what is already there.
# Debian packages first (apt-get update once, only if something is missing), then npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  skopeo docker-registry                     # interop peers for the registry
  wabt clang lld wasi-libc libclang-rt-14-dev-wasm32   # Wasm samples, wasm2c back end
  bsdiff xdelta3 zstd                        # delta peers (bench and tests)
  qemu-user qemu-system-arm                  # proof that AoT code runs on its ISA
  gcc gcc-aarch64-linux-gnu libc6-arm64-cross libc6-dev-arm64-cross  # native + aarch64 compile workers
  gcc-arm-none-eabi picolibc-arm-none-eabi picolibc-riscv64-unknown-elf  # bare-metal MCU builds
  postgresql                                 # the OTA store on PostgreSQL: tests start their own server (TestSupport PostgresServer)
  radosgw ceph-mon ceph-osd                  # S3 blobs: tests start one Ceph RADOS Gateway on memstore (TestSupport CephObjectGateway; Requires=s3)
  chromium                                   # the dashboard's browser tests (Playwright drives /usr/bin/chromium; Requires=chromium)
  swupdate openssl                           # SWUpdate 2022.12 with suricatta: our .swu images and the DDI API against a real client (Requires=swupdate)
)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-deps: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "test-deps: Debian packages already installed"
fi

# npm peers (Sigstore verifier, OCI attach client), pinned by the lock file.
if [ -f tests/node/package.json ]; then
  if [ ! -d tests/node/node_modules ] || [ tests/node/package-lock.json -nt tests/node/node_modules ]; then
    echo "test-deps: installing npm packages in tests/node"
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "test-deps: npm packages already installed"
  fi
fi
