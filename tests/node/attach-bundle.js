#!/usr/bin/env node
// Attaches a file (a Sigstore bundle) to an image as an OCI referrer with @sigstore/oci, the
// client npm itself uses. Third-party peer for our registry and verifier.
//
// Usage: node attach-bundle.js --image 127.0.0.1:PORT/repo --digest sha256:... --file BUNDLE
//                              [--media-type TYPE] [--annotation k=v ...]
// Prints the pushed manifest descriptor as JSON. Exit codes: 0 attached, 1 push failed, 2 usage/setup error.
'use strict';

const fs = require('node:fs');

function fail(code, message) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let oci;
try {
  oci = require('@sigstore/oci');
} catch (e) {
  fail(2, `setup error: cannot load @sigstore/oci (run 'npm ci' in tests/node): ${e.message}`);
}

const args = { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', annotations: {} };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  switch (argv[i]) {
    case '--image': args.image = argv[++i]; break;
    case '--digest': args.digest = argv[++i]; break;
    case '--file': args.file = argv[++i]; break;
    case '--media-type': args.mediaType = argv[++i]; break;
    case '--annotation': {
      const [k, ...v] = argv[++i].split('=');
      args.annotations[k] = v.join('=');
      break;
    }
    default: fail(2, `usage error: unknown argument '${argv[i]}'`);
  }
}
if (!args.image || !args.digest || !args.file) fail(2, 'usage error: --image HOST/REPO --digest DIGEST --file FILE');

(async () => {
  try {
    const descriptor = await oci.attachArtifactToImage({
      imageName: args.image,
      imageDigest: args.digest,
      artifact: fs.readFileSync(args.file),
      mediaType: args.mediaType,
      annotations: args.annotations,
      credentials: undefined, // our test registry has no auth; @sigstore/oci then skips sign-in
    });
    process.stdout.write(`${JSON.stringify(descriptor)}\n`);
  } catch (e) {
    const cause = e.cause ? ` (cause: ${e.cause.message || e.cause})` : '';
    fail(1, `attach failed: ${e.message}${cause}`);
  }
})();
