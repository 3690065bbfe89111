#!/usr/bin/env node
// Verifies a Sigstore bundle offline with @sigstore/verify, trusting only the given public key.
// This is the third-party peer for our signer: it shares no code with AtymSecure.
//
// Usage: node verify-bundle.js --bundle FILE --key PUB.pem [--artifact FILE] [--ignore-hint]
//   --artifact     the signed bytes, required for messageSignature bundles
//   --ignore-hint  find the key with a function that returns the trusted key whatever the hint says
//                  (default: a key map keyed by base64(SHA-256(DER SPKI)) computed here, so the
//                  bundle's hint must match our own computation of the key id)
// Exit codes: 0 verified, 1 verification failed (the message says why), 2 usage or setup error.
'use strict';

const fs = require('node:fs');
const crypto = require('node:crypto');

function fail(code, message) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let sigstore;
try {
  sigstore = {
    bundle: require('@sigstore/bundle'),
    verify: require('@sigstore/verify'),
    specs: require('@sigstore/protobuf-specs'),
  };
} catch (e) {
  fail(2, `setup error: cannot load the @sigstore packages (run 'npm ci' in tests/node): ${e.message}`);
}

function parseArgs(argv) {
  const args = { ignoreHint: false };
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '--bundle': args.bundle = argv[++i]; break;
      case '--key': args.key = argv[++i]; break;
      case '--artifact': args.artifact = argv[++i]; break;
      case '--ignore-hint': args.ignoreHint = true; break;
      default: fail(2, `usage error: unknown argument '${argv[i]}'`);
    }
  }
  if (!args.bundle || !args.key) fail(2, 'usage error: --bundle FILE --key PUB.pem [--artifact FILE] [--ignore-hint]');
  return args;
}

const args = parseArgs(process.argv.slice(2));

let publicKey;
let spki;
try {
  publicKey = crypto.createPublicKey(fs.readFileSync(args.key));
  spki = publicKey.export({ type: 'spki', format: 'der' });
} catch (e) {
  fail(2, `setup error: cannot read public key ${args.key}: ${e.message}`);
}
const keyDetails = publicKey.asymmetricKeyType === 'ed25519' ? 'PKIX_ED25519' : 'PKIX_ECDSA_P256_SHA_256';
const keyId = crypto.createHash('sha256').update(spki).digest('base64');

try {
  const json = JSON.parse(fs.readFileSync(args.bundle, 'utf8'));
  const bundle = sigstore.bundle.bundleFromJSON(json);
  const trustedRoot = sigstore.specs.TrustedRoot.fromJSON({
    tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [],
  });
  const keys = args.ignoreHint
    ? () => ({ publicKey, validFor: () => true })
    : { [keyId]: { rawBytes: spki, keyDetails } };
  const trust = sigstore.verify.toTrustMaterial(trustedRoot, keys);
  const verifier = new sigstore.verify.Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  const artifact = args.artifact ? fs.readFileSync(args.artifact) : undefined;
  verifier.verify(sigstore.verify.toSignedEntity(bundle, artifact));
  process.stdout.write(`verified: ${bundle.content.$case} bundle signed by key ${keyId} (${keyDetails})\n`);
  process.exit(0);
} catch (e) {
  fail(1, `verification failed: ${e.code ? e.code + ': ' : ''}${e.message}`);
}
