#!/usr/bin/env node
// A standard TUF client (tuf-js 6.0.2) against our image repository: the third-party peer for
// formats/UpdateMetadata. It shares no code with AtymSecure.
//
// Usage: node tuf-client.js --metadata-url URL --targets-url URL --dir DIR [--target PATH --out FILE]
//   --dir     tuf-js's metadata folder; it must hold the trusted root.json, and keeps what tuf-js
//             trusts between runs (so a second run refreshes across a root rotation)
//   --target  a target path to look up through the delegations and download (hash-prefixed name)
// Prints one JSON line: {"ok":true,"root":N,"timestamp":N,"snapshot":N,"target":{...}} or
// {"ok":false,"error":"<tuf-js error class>","message":"..."}.
// Exit codes: 0 refreshed (and downloaded), 1 tuf-js refused (the line says why), 2 usage or setup error.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

function fail(code, message) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let tuf;
try {
  tuf = require('tuf-js');
} catch (e) {
  fail(2, `setup error: cannot load tuf-js (run 'npm ci' in tests/node): ${e.message}`);
}

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const name = process.argv[i];
  if (!name.startsWith('--') || i + 1 >= process.argv.length) fail(2, `usage error: bad argument ${name}`);
  args[name.slice(2)] = process.argv[i + 1];
}
for (const required of ['metadata-url', 'targets-url', 'dir']) {
  if (!args[required]) fail(2, `usage error: --${required} is required`);
}
if (!fs.existsSync(path.join(args.dir, 'root.json'))) fail(2, `usage error: ${args.dir}/root.json (the trusted root) is missing`);

(async () => {
  const targetDir = path.join(args.dir, 'targets');
  fs.mkdirSync(targetDir, { recursive: true });
  const updater = new tuf.Updater({
    metadataDir: args.dir,
    metadataBaseUrl: args['metadata-url'],
    targetDir,
    targetBaseUrl: args['targets-url'],
  });
  try {
    await updater.refresh();
    const result = {
      ok: true,
      root: updater.trustedSet.root.signed.version,
      timestamp: updater.trustedSet.timestamp.signed.version,
      snapshot: updater.trustedSet.snapshot.signed.version,
    };
    if (args.target) {
      const info = await updater.getTargetInfo(args.target);
      if (!info) {
        process.stdout.write(JSON.stringify({ ok: false, error: 'TargetNotFound', message: `no delegation lists ${args.target}` }) + '\n');
        process.exit(1);
      }
      const out = args.out || path.join(targetDir, 'download');
      await updater.downloadTarget(info, out);
      result.target = { path: info.path, length: info.length, sha256: info.hashes.sha256, custom: info.custom, file: out };
    }
    process.stdout.write(JSON.stringify(result) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: e.constructor.name, message: e.message }) + '\n');
    process.exit(1);
  }
})();
