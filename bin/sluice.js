#!/usr/bin/env node
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
