#!/usr/bin/env node
// The CLI entry: the compiled TypeScript lives in dist/ (built by `npm install` through `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { process.stderr.write(`sluice: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);
