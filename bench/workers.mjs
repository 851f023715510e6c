#!/usr/bin/env node
// Workers on threads: stdin → grok COMBINEDAPACHELOG + date → json_lines on stdout, 200,000 real Apache
// lines, `-w 1` (the pipeline thread) against `-w 2 --pipeline.worker_threads true` (two threads decode
// stdin, filter and encode; the pipeline thread reads and writes bytes), same run, with peak RSS of each,
// and both again without process start-up.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus, SLUICE_NODE_FLAGS } from './_corpus.mjs';

const lines = corpus('apache_access_10k.log', 200_000);
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-workers-'));
const input = join(dir, 'input.log');
writeFileSync(input, lines.join('\n') + '\n');
const config = 'input { stdin { } } filter { grok { match => { "message" => "%{COMBINEDAPACHELOG}" } } date { match => ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"] } } output { stdout { codec => json_lines } }';

const startupInput = join(dir, 'startup.log');
writeFileSync(startupInput, lines.slice(0, 10).join('\n') + '\n');

function run(workers, file = input, expected = lines.length) {
  const t = process.hrtime.bigint();
  // GNU time's %M is the peak RSS in KiB; fall back to no memory figure when it is absent.
  const time = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...SLUICE_NODE_FLAGS, 'bin/sluice.js', 'run', '-w', String(workers), ...(workers > 1 ? ['--pipeline.worker_threads', 'true'] : []), '--log.level', 'warn', '-e', config],
    { input: readFileSync(file), maxBuffer: 1 << 30 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (time.status !== 0) throw new Error(`-w ${workers} exited ${time.status}: ${time.stderr}`);
  const out = time.stdout.toString().split('\n').filter(Boolean).length;
  if (out !== expected) throw new Error(`-w ${workers}: expected ${expected} events, got ${out}`);
  const rss = Number(/(\d+)\s*$/.exec(time.stderr.toString())?.[1] ?? NaN);
  return { s, rss };
}

const best = (f) => { const a = [f(), f(), f()]; return a.reduce((x, y) => (y.s < x.s ? y : x)); };
const one = best(() => run(1));
const two = best(() => run(2));
const eps = (r) => Math.round(lines.length / r.s).toLocaleString('en-US');
const mb = (r) => (Number.isNaN(r.rss) ? 'n/a' : `${Math.round(r.rss / 1024)} MB`);
console.log(`events:        ${lines.length.toLocaleString('en-US')} (apache_access_10k.log, repeated), ${availableParallelism()} cores`);
console.log(`-w 1:          ${eps(one)} events/s, peak RSS ${mb(one)}`);
console.log(`-w 2 threads:  ${eps(two)} events/s, peak RSS ${mb(two)}  (ratio to -w 1: ${(one.s / two.s).toFixed(2)}; both include process start-up)`);
// Start-up alone (ten lines): the threads load the modules and compile the config each, which the
// whole-run ratio above pays once; without it, what the threads do per event.
const oneStart = best(() => run(1, startupInput, 10));
const twoStart = best(() => run(2, startupInput, 10));
const steady = (r, st) => Math.round(lines.length / Math.max(1e-3, r.s - st.s));
console.log(`start-up:      -w 1 ${(oneStart.s * 1000).toFixed(0)} ms, -w 2 threads ${(twoStart.s * 1000).toFixed(0)} ms`);
console.log(`without it:    -w 1 ${steady(one, oneStart).toLocaleString('en-US')} events/s, -w 2 threads ${steady(two, twoStart).toLocaleString('en-US')} events/s  (ratio ${(steady(two, twoStart) / steady(one, oneStart)).toFixed(2)})`);
