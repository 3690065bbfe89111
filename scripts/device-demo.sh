#!/usr/bin/env bash
# The local end-to-end path (docs/device-cli.md) in one go: two samples -> our registry -> sign ->
# compile for this machine's device class -> signed bundles -> a simulated device installs and runs
# them; a version with a failing health probe is reverted; a good version arrives as a delta and is
# confirmed. Everything lives in .atym-demo/ (removed first). The test suite runs the same path, with
# kills during an install and a trial: tests/AtymSecure.EndToEnd.Tests.
set -euo pipefail
cd "$(dirname "$0")/.."
work=.atym-demo
rm -rf "$work" && mkdir -p "$work"
dotnet build cli -c Release -o "$work/bin" -v quiet -nologo
atym() { dotnet "$work/bin/atym.dll" "$@"; }
export ATYM_KEY_PASSPHRASE=demo
case "$(uname -m)" in x86_64) class=linux-x86_64 ;; aarch64) class=linux-aarch64 ;; *) class=portable-pulley64 ;; esac
port=${ATYM_DEMO_PORT:-5077}
host=127.0.0.1:$port

step() { printf '\n== %s\n' "$*"; }

step "registry on $host"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port is already in use (set ATYM_DEMO_PORT to another port)" >&2; exit 1
fi
# exec: $! must be the registry process itself, so the trap stops it (not just a subshell around it).
(exec dotnet "$work/bin/atym.dll" registry serve --listen "$host" --data "$work/registry" >"$work/registry.log" 2>&1) &
registry=$!
trap 'kill $registry 2>/dev/null || true' EXIT
for _ in $(seq 150); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done

step "build, push, sign"
atym keygen "$work/dev"
for entry in sensor-filter:sensor-filter:1.0.0 sensor-filter-v1.1.0:sensor-filter:1.1.0 \
             sensor-filter-bad:sensor-filter:1.2.0 anomaly-detector:anomaly-detector:1.0.0; do
  IFS=: read -r sample name version <<<"$entry"
  atym build "samples/$sample" -o "$work/layouts/$sample"
  atym copy "oci:$work/layouts/$sample:$version" "$host/samples/$name:$version"
  atym sign "$host/samples/$name:$version" --key "$work/dev.key"
done
atym verify "$host/samples/sensor-filter:1.0.0" --key "$work/dev.pub"

step "compile for $class and cut bundles"
atym compile "$host/samples/sensor-filter:1.0.0" --device-class "$class" --key "$work/dev.key"
bundle() { atym bundle "$host/samples/$1:$2" --device-class "$class" --key "$work/dev.key" --trust "$work/dev.pub" --output "$work/$3" "${@:4}"; }
bundle sensor-filter 1.0.0 sf-1.0.0.bundle
bundle anomaly-detector 1.0.0 ad-1.0.0.bundle
bundle sensor-filter 1.2.0 sf-1.2.0.bundle --from "$host/samples/sensor-filter:1.0.0"
bundle sensor-filter 1.1.0 sf-1.1.0.bundle --from "$host/samples/sensor-filter:1.0.0"

step "a device: init, install both, run until both trials are decided"
dev="$work/device"
atym device init --data "$dev" --profile host --container sensor-filter=1M --container anomaly-detector=1M --trust "compiler=$work/dev.pub"
atym device install "$work/sf-1.0.0.bundle" --data "$dev"
atym device install "$work/ad-1.0.0.bundle" --data "$dev"
atym device run --data "$dev" --until-settled --trace 'telemetry/#'

step "sensor-filter 1.2.0 (its health probe fails): reverted"
atym device install "$work/sf-1.2.0.bundle" --data "$dev"
atym device run --data "$dev" --until-settled

step "sensor-filter 1.1.0 as a delta: confirmed"
atym device install "$work/sf-1.1.0.bundle" --data "$dev"
atym device run --data "$dev" --until-settled
atym device status --data "$dev"
