#!/usr/bin/env node
// Canonical JSON as tuf-js signs it (@tufjs/canonical-json), the peer for our CanonicalJsonWriter.
// Reads a JSON array of JSON texts (from FILE, or stdin), prints one line per text: the hex of
// canonicalize(JSON.parse(text)), or "error" when tuf-js refuses the value (floats). Shares no code with AtymSecure.
// Usage: node tuf-canonical.js [FILE] < inputs.json
// Exit codes: 0 done, 2 usage or setup error.
'use strict';

let canonicalize;
try {
  ({ canonicalize } = require('@tufjs/canonical-json'));
} catch (e) {
  process.stderr.write(`setup error: cannot load @tufjs/canonical-json (run 'npm ci' in tests/node): ${e.message}\n`);
  process.exit(2);
}

function run(text) {
  let inputs;
  try {
    inputs = JSON.parse(text);
  } catch (e) {
    process.stderr.write(`usage error: the input is not a JSON array: ${e.message}\n`);
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
}

if (process.argv[2]) {
  run(require('node:fs').readFileSync(process.argv[2], 'utf8'));
} else {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => run(Buffer.concat(chunks).toString('utf8')));
}
