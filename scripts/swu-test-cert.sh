#!/usr/bin/env bash
# Makes the test certificate SWUpdate verifies our .swu images with (issue 18, docs/ddi.md "SWUpdate gateways"):
#   scripts/swu-test-cert.sh OUT_DIR   -> OUT_DIR/swu-cert.pem (give it to swupdate -k) and OUT_DIR/swu-key.pem (the server signs with it)
# A self-signed P-256 certificate, 10 years, key usage digitalSignature, extended key usage emailProtection and codeSigning:
# swupdate checks the signer's purpose (--cert-purpose, default emailProtection), so either setting accepts it.
# For tests and demos only: a real fleet's signing key lives offline or in an HSM, and its certificate is issued by the
# operator's CA (swupdate --ca-path).
set -euo pipefail
out="${1:?usage: scripts/swu-test-cert.sh OUT_DIR}"
mkdir -p "$out"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$out/swu-key.pem" -out "$out/swu-cert.pem" -days 3650 \
  -subj "/CN=AtymSecure SWUpdate test signer" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature" \
  -addext "extendedKeyUsage=emailProtection,codeSigning" 2>/dev/null
chmod 644 "$out/swu-cert.pem"
echo "$out/swu-cert.pem"
