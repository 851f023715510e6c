#!/usr/bin/env node
// `npm run bench`: runs every bench/*.mjs scenario in turn (after the build). Each prints events/s and its
// ratio to a reference measured in the same run. Pass names to run some: `npm run bench -- grok`.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scenarios = readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort();
let failed = 0;
for (const file of scenarios) {
  console.log(`\n== ${file.replace(/\.mjs$/, '')} ==`);
  const r = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit', cwd: join(here, '..') });
  if (r.status !== 0) { failed++; console.log(`(${file} exited ${r.status})`); }
}
process.exit(failed ? 1 : 0);
