#!/usr/bin/env bash
# Generates the committed TEST key pairs (never used outside tests; private keys unencrypted on purpose).
# Golden artifacts are signed with these; regenerating them invalidates the goldens, so the keys are
# generated once and kept. Run only to add a new key.
set -euo pipefail
cd "$(dirname "$0")/../tests/pki"
[ -f ecdsa-p256.key ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ecdsa-p256.key
[ -f ed25519.key ] || openssl genpkey -algorithm ed25519 -out ed25519.key
for k in ecdsa-p256 ed25519; do openssl pkey -in $k.key -pubout -out $k.pub; done
echo "test PKI in $(pwd):"; ls
