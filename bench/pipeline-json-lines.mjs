#!/usr/bin/env node
// Whole-CLI throughput: `sluice run` with stdin → json_lines on stdout, no filters, on real Apache access logs.
// Reference, same run: a bare Node script that splits the same input into lines and writes one JSON object
// per line (JSON.stringify) — the least any line-to-JSON tool must do.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus, SLUICE_NODE_FLAGS } from './_corpus.mjs';

const lines = corpus('apache_access_10k.log', 100_000);
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
const input = join(dir, 'input.log');
writeFileSync(input, lines.join('\n') + '\n');

function timeRun(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { input: readFileSync(input), maxBuffer: 1 << 30 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const out = r.stdout.toString().split('\n').filter(Boolean).length;
  if (out !== lines.length) throw new Error(`expected ${lines.length} events, got ${out}`);
  return s;
}

const reference = join(dir, 'reference.mjs');
writeFileSync(reference, `
import { createInterface } from 'node:readline';
const rl = createInterface({ input: process.stdin });
let buf = '';
rl.on('line', (l) => { buf += JSON.stringify({ message: l, '@timestamp': new Date().toISOString(), '@version': '1' }) + '\\n'; if (buf.length > 65536) { process.stdout.write(buf); buf = ''; } });
rl.on('close', () => process.stdout.write(buf));
`);
const best = (f) => Math.min(f(), f(), f());
const ref = best(() => timeRun([reference]));
const sluice = best(() => timeRun([...SLUICE_NODE_FLAGS, 'bin/sluice.js', 'run', '-w', '1', '--log.level', 'warn', '-e', 'input { stdin { } } output { stdout { codec => json_lines } }']));
const eps = (s) => Math.round(lines.length / s).toLocaleString('en-US');
console.log(`events:                 ${lines.length.toLocaleString('en-US')} (apache_access_10k.log, repeated)`);
console.log(`reference (bare node):  ${eps(ref)} events/s`);
console.log(`sluice stdin→json_lines: ${eps(sluice)} events/s  (ratio to reference ${(ref / sluice).toFixed(2)}: ${(100 * ref / sluice).toFixed(0)}% of its rate; both include process start-up)`);
