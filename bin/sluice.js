#!/usr/bin/env -S node --max-semi-space-size=64
// The V8 flag above: a batch in flight outlives V8's default 16 MiB young generation, so its events get
// copied into the old one at every scavenge; 64 MiB keeps them young (10-15% faster on grok pipelines, for
// about 40 MiB more memory). It applies when `sluice` is run as a command; `node bin/sluice.js` can set it
// through NODE_OPTIONS.
// The CLI entry: the compiled TypeScript lives in dist/ (built by `npm install` through `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = typeof code === 'number' ? code : 0;
    // Everything is flushed and closed by now; a stray handle (a socket a client keeps open) must not
    // keep a finished pipeline alive.
    setTimeout(() => process.exit(process.exitCode), 2000).unref();
  },
  (err) => { process.stderr.write(`sluice: ${err && err.stack ? err.stack : err}\n`); process.exit(1); },
);
