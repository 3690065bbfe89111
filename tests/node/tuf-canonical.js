#!/usr/bin/env node
// Canonical JSON as tuf-js signs it (@tufjs/canonical-json), the peer for our CanonicalJsonWriter.
// Reads a JSON array of JSON texts on stdin, prints one line per text: the hex of canonicalize(JSON.parse(text)),
// or "error" when tuf-js refuses the value (floats). Shares no code with AtymSecure.
// Usage: node tuf-canonical.js < inputs.json
// Exit codes: 0 done, 2 usage or setup error.
'use strict';

let canonicalize;
try {
  ({ canonicalize } = require('@tufjs/canonical-json'));
} catch (e) {
  process.stderr.write(`setup error: cannot load @tufjs/canonical-json (run 'npm ci' in tests/node): ${e.message}\n`);
  process.exit(2);
}

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  let inputs;
  try {
    inputs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    process.stderr.write(`usage error: stdin is not a JSON array: ${e.message}\n`);
    process.exit(2);
  }
  const lines = inputs.map((text) => {
    try {
      return Buffer.from(canonicalize(JSON.parse(text)), 'utf8').toString('hex');
    } catch {
      return 'error';
    }
  });
  process.stdout.write(lines.join('\n') + '\n');
});
