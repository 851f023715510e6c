#!/usr/bin/env node
// `sluice run -t` on the project's largest valid config fixtures: wall time of the whole process (the user's
// wait), against the reference of starting Node itself, measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function best(args, runs = 5) {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    min = Math.min(min, ms);
  }
  return min;
}

const node = best(['-e', '']);
console.log(`reference (node -e ''):      ${node.toFixed(0)} ms`);
const dir = 'fixtures/configs/valid';
for (const f of readdirSync(dir).sort()) {
  const ms = best(['bin/sluice.js', 'run', '-t', '-f', join(dir, f)]);
  console.log(`sluice run -t ${f.padEnd(24)} ${ms.toFixed(0)} ms  (ratio to reference ${(ms / node).toFixed(1)})`);
}
